import CZlib
import Foundation

/// zlib inflation (RFC 1950/1951/1952) of whole buffers: gzip files and raw-deflate zip entries.
public enum Inflate {
    /// The wrapper around the deflate stream.
    public enum Wrapper {
        /// gzip (RFC 1952), as written by `gzip`; concatenated members are all inflated.
        case gzip
        /// Raw deflate (RFC 1951), as stored in zip entries.
        case raw

        var windowBits: Int32 { self == .gzip ? 15 + 16 : -15 }
    }

    /// Whether `data` starts with the gzip magic bytes 1f 8b.
    public static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1f && data[data.startIndex + 1] == 0x8b
    }

    /// Inflates all of `data`; `name` is used in error messages. `expectedSize`, if known,
    /// sizes the output buffer and is checked.
    public static func inflate(_ data: Data, wrapper: Wrapper, name: String, expectedSize: Int? = nil) throws -> Data {
        guard !data.isEmpty else { throw DataError("\(name): no compressed data (0 bytes)") }
        var output = Data()
        output.reserveCapacity(min(expectedSize ?? data.count * 4, 1 << 28))
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            var stream = z_stream()
            var consumed = 0
            repeat {
                // (Re)initialise per gzip member.
                stream = z_stream()
                guard diffuse_inflate_init2(&stream, wrapper.windowBits) == Z_OK else {
                    throw DataError("\(name): could not initialise zlib")
                }
                defer { inflateEnd(&stream) }
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self) + consumed)
                stream.avail_in = uInt(input.count - consumed)
                var status: Int32 = Z_OK
                while status != Z_STREAM_END {
                    let produced: Int = chunk.withUnsafeMutableBufferPointer { out in
                        stream.next_out = out.baseAddress
                        stream.avail_out = uInt(out.count)
                        status = CZlib.inflate(&stream, Z_NO_FLUSH)
                        return out.count - Int(stream.avail_out)
                    }
                    output.append(contentsOf: chunk[0..<produced])
                    if status == Z_STREAM_END { break }
                    if status == Z_BUF_ERROR && stream.avail_in == 0 {
                        throw DataError("\(name): compressed data is truncated at input offset \(consumed + Int(stream.total_in)) (\(output.count) bytes inflated so far)")
                    }
                    if status != Z_OK && status != Z_BUF_ERROR {
                        let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                        throw DataError("\(name): corrupt compressed data near input offset \(consumed + Int(stream.total_in)): \(reason)")
                    }
                }
                consumed += Int(stream.total_in)
            } while wrapper == .gzip && input.count - consumed >= 2
                && input[consumed] == 0x1f && input[consumed + 1] == 0x8b
        }
        if let expectedSize = expectedSize, output.count != expectedSize {
            throw DataError("\(name): inflated to \(output.count) bytes, expected \(expectedSize)")
        }
        return output
    }

    /// Reads a file, inflating it if it is gzip-compressed (by its magic bytes, not its name).
    public static func readMaybeGzip(_ path: String) throws -> Data {
        let data = try BinaryReader.readFile(path)
        return isGzip(data) ? try inflate(data, wrapper: .gzip, name: path) : data
    }
}
