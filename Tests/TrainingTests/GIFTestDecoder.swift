/// An independent GIF89a reader for the tests: parses the blocks and decodes the LZW data
/// back to colour indices (the textbook decoder, one table entry behind the encoder).
enum GIFTestDecoder {
    struct Malformed: Error, CustomStringConvertible { let description: String }

    struct Decoded {
        var width: Int
        var height: Int
        var palette: [UInt8]
        var loops: Bool
        var delays: [Int]
        var frames: [[UInt8]]
    }

    static func decode(_ b: [UInt8]) throws -> Decoded {
        var i = 0
        func byte() throws -> Int {
            guard i < b.count else { throw Malformed(description: "unexpected end at \(i)") }
            defer { i += 1 }
            return Int(b[i])
        }
        func u16() throws -> Int { let lo = try byte(); return lo | (try byte()) << 8 }
        func subBlocks() throws -> [UInt8] {
            var data: [UInt8] = []
            while true {
                let n = try byte()
                if n == 0 { return data }
                guard i + n <= b.count else { throw Malformed(description: "sub-block past the end") }
                data += b[i..<(i + n)]
                i += n
            }
        }
        guard b.count >= 13, String(decoding: b[0..<6], as: UTF8.self) == "GIF89a" else { throw Malformed(description: "no GIF89a header") }
        i = 6
        let width = try u16(), height = try u16()
        let packed = try byte()
        _ = try byte(); _ = try byte()
        var palette: [UInt8] = []
        if packed & 0x80 != 0 {
            let n = 3 * (1 << ((packed & 7) + 1))
            palette = Array(b[i..<(i + n)])
            i += n
        }
        var result = Decoded(width: width, height: height, palette: palette, loops: false, delays: [], frames: [])
        while true {
            switch try byte() {
            case 0x21:
                let label = try byte()
                let data = try subBlocks()
                if label == 0xF9 { result.delays.append(Int(data[1]) | Int(data[2]) << 8) }
                if label == 0xFF, String(decoding: data.prefix(11), as: UTF8.self) == "NETSCAPE2.0" { result.loops = true }
            case 0x2C:
                _ = try u16(); _ = try u16()
                let w = try u16(), h = try u16()
                guard try byte() & 0x80 == 0 else { throw Malformed(description: "local colour tables are not expected") }
                let minimum = try byte()
                let indices = try lzwDecode(try subBlocks(), minimumCodeSize: minimum)
                guard indices.count == w * h else { throw Malformed(description: "frame has \(indices.count) pixels, expected \(w * h)") }
                result.frames.append(indices.map(UInt8.init))
            case 0x3B:
                return result
            case let other:
                throw Malformed(description: "unknown block 0x\(String(other, radix: 16)) at \(i - 1)")
            }
        }
    }

    static func lzwDecode(_ data: [UInt8], minimumCodeSize m: Int) throws -> [Int] {
        let clear = 1 << m, end = clear + 1
        var table: [[Int]] = []
        func reset() { table = (0..<(end + 1)).map { [$0] } }
        reset()
        var codeSize = m + 1
        var bitPosition = 0
        func read() -> Int? {
            guard bitPosition + codeSize <= data.count * 8 else { return nil }
            var code = 0
            for k in 0..<codeSize {
                let bit = (Int(data[(bitPosition + k) / 8]) >> ((bitPosition + k) % 8)) & 1
                code |= bit << k
            }
            bitPosition += codeSize
            return code
        }
        var output: [Int] = []
        var previous: [Int]? = nil
        while let code = read() {
            if code == clear { reset(); codeSize = m + 1; previous = nil; continue }
            if code == end { return output }
            let entry: [Int]
            if code < table.count {
                entry = table[code]
            } else if code == table.count, let p = previous {
                entry = p + [p[0]]
            } else {
                throw Malformed(description: "LZW code \(code) beyond the table (\(table.count))")
            }
            if let p = previous, table.count < 4096 {
                table.append(p + [entry[0]])
                if table.count == (1 << codeSize) && codeSize < 12 { codeSize += 1 }
            }
            output += entry
            previous = entry
        }
        throw Malformed(description: "LZW data without an end code")
    }
}
