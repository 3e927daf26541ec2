import Foundation

/// Bounds-checked reads of little- and big-endian fields from a file's bytes; every failure
/// names the file, the offset and the field that was expected there.
struct BinaryReader {
    let bytes: [UInt8]
    let name: String

    init(_ bytes: [UInt8], name: String) {
        self.bytes = bytes
        self.name = name
    }

    init(_ data: Data, name: String) {
        self.init([UInt8](data), name: name)
    }

    var count: Int { bytes.count }

    /// The product of `sizes` (header fields), or nil if it overflows `Int`.
    static func product(_ sizes: [Int]) -> Int? {
        var result = 1
        for s in sizes {
            let (p, overflow) = result.multipliedReportingOverflow(by: s)
            if overflow { return nil }
            result = p
        }
        return result
    }

    /// The contents of the file at `path`, or an error naming it.
    static func readFile(_ path: String) throws -> Data {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw DataError("\(path): is a directory, expected a file")
        }
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw DataError("\(path): cannot read file (\(error.localizedDescription))")
        }
    }

    /// Throws unless `length` bytes of `field` start at `offset`.
    func require(_ length: Int, at offset: Int, _ field: String) throws {
        guard offset >= 0, length >= 0, offset <= bytes.count, bytes.count - offset >= length else {
            throw DataError("\(name): truncated at offset \(offset): expected \(length) bytes of \(field), file has \(bytes.count) bytes")
        }
    }

    func uint8(at offset: Int, _ field: String) throws -> UInt8 {
        try require(1, at: offset, field)
        return bytes[offset]
    }

    func bigEndianUInt32(at offset: Int, _ field: String) throws -> UInt32 {
        try require(4, at: offset, field)
        return (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }

    func littleEndian(at offset: Int, width: Int, _ field: String) throws -> UInt64 {
        try require(width, at: offset, field)
        return (0..<width).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[offset + $1]) }
    }

    func slice(_ offset: Int, _ length: Int, _ field: String) throws -> ArraySlice<UInt8> {
        try require(length, at: offset, field)
        return bytes[offset..<(offset + length)]
    }
}
