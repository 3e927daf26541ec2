import CZlib
import Foundation

/// A minimal zip reader for .npz files: the central directory (with ZIP64 extra fields for
/// sizes and offsets), entries stored (method 0) or deflated (method 8, inflated with zlib),
/// CRC-32 checked. Multi-disk archives and encryption are rejected.
public struct ZipArchive {
    public struct Entry {
        public let name: String
        let method: Int
        let crc: UInt32
        let compressedSize: Int
        let size: Int
        let localHeaderOffset: Int
    }

    public let path: String
    public let entries: [Entry]
    private let reader: BinaryReader

    public init(path: String) throws {
        let data = try BinaryReader.readFile(path)
        self.path = path
        reader = BinaryReader(data, name: path)
        // End of central directory: signature 50 4b 05 06, within the last 22 + 65535 bytes.
        let bytes = reader.bytes
        var eocd = -1
        var i = bytes.count - 22
        while i >= max(0, bytes.count - 22 - 65535) {
            if bytes[i] == 0x50, bytes[i + 1] == 0x4b, bytes[i + 2] == 5, bytes[i + 3] == 6 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else {
            throw DataError("\(path): not a zip archive (no end-of-central-directory record; truncated or not an .npz file)")
        }
        let entryCount = Int(try reader.littleEndian(at: eocd + 10, width: 2, "the entry count"))
        let directoryOffset = Int(try reader.littleEndian(at: eocd + 16, width: 4, "the central directory offset"))
        var entries: [Entry] = []
        var offset = directoryOffset
        for k in 0..<entryCount {
            guard try reader.littleEndian(at: offset, width: 4, "central directory entry \(k)") == 0x0201_4b50 else {
                throw DataError("\(path): offset \(offset): expected central directory entry \(k) (signature 50 4b 01 02)")
            }
            let flags = try reader.littleEndian(at: offset + 8, width: 2, "entry flags")
            let method = Int(try reader.littleEndian(at: offset + 10, width: 2, "compression method"))
            let crc = UInt32(try reader.littleEndian(at: offset + 16, width: 4, "CRC-32"))
            var compressed = try reader.littleEndian(at: offset + 20, width: 4, "compressed size")
            var size = try reader.littleEndian(at: offset + 24, width: 4, "size")
            let nameLength = Int(try reader.littleEndian(at: offset + 28, width: 2, "name length"))
            let extraLength = Int(try reader.littleEndian(at: offset + 30, width: 2, "extra length"))
            let commentLength = Int(try reader.littleEndian(at: offset + 32, width: 2, "comment length"))
            var local = try reader.littleEndian(at: offset + 42, width: 4, "local header offset")
            let name = String(decoding: try reader.slice(offset + 46, nameLength, "entry name"), as: UTF8.self)
            // ZIP64 extra field (id 1): 64-bit values for whichever fields are 0xFFFFFFFF, in order.
            var extra = offset + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = try reader.littleEndian(at: extra, width: 2, "extra field id")
                let length = Int(try reader.littleEndian(at: extra + 2, width: 2, "extra field length"))
                if id == 1 {
                    var field = extra + 4
                    if size == 0xffff_ffff { size = try reader.littleEndian(at: field, width: 8, "ZIP64 size"); field += 8 }
                    if compressed == 0xffff_ffff { compressed = try reader.littleEndian(at: field, width: 8, "ZIP64 compressed size"); field += 8 }
                    if local == 0xffff_ffff { local = try reader.littleEndian(at: field, width: 8, "ZIP64 offset") }
                }
                extra += 4 + length
            }
            guard flags & 1 == 0 else { throw DataError("\(path): entry '\(name)' is encrypted") }
            guard let compressedSize = Int(exactly: compressed), let entrySize = Int(exactly: size), let localOffset = Int(exactly: local) else {
                throw DataError("\(path): offset \(offset): entry '\(name)' has sizes or an offset beyond any file (\(compressed), \(size), \(local))")
            }
            entries.append(Entry(name: name, method: method, crc: crc, compressedSize: compressedSize,
                                 size: entrySize, localHeaderOffset: localOffset))
            offset = extraEnd + commentLength
        }
        self.entries = entries
    }

    /// The uncompressed bytes of entry `name`.
    public func contents(of name: String) throws -> Data {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw DataError("\(path): no entry '\(name)' (entries: \(entries.map(\.name).joined(separator: ", ")))")
        }
        let local = entry.localHeaderOffset
        guard try reader.littleEndian(at: local, width: 4, "local header of '\(name)'") == 0x0403_4b50 else {
            throw DataError("\(path): offset \(local): expected the local header of '\(name)' (signature 50 4b 03 04)")
        }
        let nameLength = Int(try reader.littleEndian(at: local + 26, width: 2, "local name length"))
        let extraLength = Int(try reader.littleEndian(at: local + 28, width: 2, "local extra length"))
        let start = local + 30 + nameLength + extraLength
        let payload = Data(try reader.slice(start, entry.compressedSize, "the data of '\(name)'"))
        let contents: Data
        switch entry.method {
        case 0: contents = payload
        case 8: contents = try Inflate.inflate(payload, wrapper: .raw, name: "\(path) entry '\(name)'", expectedSize: entry.size)
        default:
            throw DataError("\(path): entry '\(name)' uses compression method \(entry.method); expected 0 (stored) or 8 (deflate)")
        }
        guard contents.count == entry.size else {
            throw DataError("\(path): entry '\(name)' has \(contents.count) bytes, its directory says \(entry.size)")
        }
        let crc = contents.withUnsafeBytes { raw in
            UInt32(crc32(0, raw.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(raw.count)))
        }
        guard crc == entry.crc else {
            throw DataError("\(path): entry '\(name)' is corrupt: CRC-32 \(crc), expected \(entry.crc)")
        }
        return contents
    }
}
