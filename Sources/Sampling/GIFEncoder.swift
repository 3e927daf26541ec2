/// A minimal animated GIF89a writer (the GIF89a specification, W3C/CompuServe 1990): one
/// global 256-colour table, a NETSCAPE2.0 looping extension, and per frame a graphic control
/// extension (delay) and an image whose colour indices are LZW-compressed.
///
/// Colours: gray frames use the 256 gray levels; RGB frames are quantised to the fixed 3-3-2
/// palette (index = r3 << 5 | g3 << 2 | b2, the level of an n-bit channel value v being
/// round(v * 255 / (2^n - 1))).
public enum GIFEncoder {
    /// One frame: `width * height` colour-table indices, row-major.
    public struct Frame: Equatable {
        public var width: Int
        public var height: Int
        public var indices: [UInt8]

        public init(width: Int, height: Int, indices: [UInt8]) {
            precondition(indices.count == width * height, "GIFEncoder.Frame: \(indices.count) indices for \(width)x\(height)")
            self.width = width
            self.height = height
            self.indices = indices
        }
    }

    /// The 256 gray levels, as RGB triples.
    public static let grayPalette: [UInt8] = (0..<256).flatMap { [UInt8($0), UInt8($0), UInt8($0)] }

    /// The 3-3-2 palette, as RGB triples.
    public static let rgb332Palette: [UInt8] = (0..<256).flatMap { i -> [UInt8] in
        let r = (i >> 5) & 7, g = (i >> 2) & 7, b = i & 3
        return [UInt8((r * 255 + 3) / 7), UInt8((g * 255 + 3) / 7), UInt8((b * 255 + 1) / 3)]
    }

    /// Index of an RGB colour in the 3-3-2 palette (nearest level per channel).
    public static func rgb332Index(r: UInt8, g: UInt8, b: UInt8) -> UInt8 {
        let r3 = (Int(r) * 7 + 127) / 255, g3 = (Int(g) * 7 + 127) / 255, b2 = (Int(b) * 3 + 127) / 255
        return UInt8(r3 << 5 | g3 << 2 | b2)
    }

    /// Frames of a gray (1 channel) or RGB (3 channels, interleaved) 8-bit picture.
    public static func frame(width: Int, height: Int, channels: Int, pixels: [UInt8]) -> Frame {
        precondition(channels == 1 || channels == 3, "GIFEncoder.frame: channels must be 1 or 3, got \(channels)")
        precondition(pixels.count == width * height * channels, "GIFEncoder.frame: \(pixels.count) bytes for \(width)x\(height)x\(channels)")
        if channels == 1 { return Frame(width: width, height: height, indices: pixels) }
        return Frame(width: width, height: height, indices: (0..<(width * height)).map {
            rgb332Index(r: pixels[3 * $0], g: pixels[3 * $0 + 1], b: pixels[3 * $0 + 2])
        })
    }

    /// The GIF file of `frames` (all the same size), shown `delay` hundredths of a second each,
    /// looping forever. `palette` is 256 RGB triples.
    public static func encode(frames: [Frame], palette: [UInt8], delay: Int = 20) -> [UInt8] {
        precondition(!frames.isEmpty, "GIFEncoder.encode: no frames")
        precondition(palette.count == 768, "GIFEncoder.encode: the palette must hold 256 RGB triples, got \(palette.count) bytes")
        let width = frames[0].width, height = frames[0].height
        precondition(width > 0 && height > 0 && width < 65536 && height < 65536, "GIFEncoder.encode: size \(width)x\(height)")
        for f in frames {
            precondition(f.width == width && f.height == height, "GIFEncoder.encode: frame \(f.width)x\(f.height) differs from \(width)x\(height)")
        }
        var out: [UInt8] = Array("GIF89a".utf8)
        func u16(_ v: Int) { out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        // Logical screen descriptor: global colour table of 2^(7+1) entries, 8-bit colour resolution.
        u16(width); u16(height)
        out += [0xF7, 0, 0]
        out += palette
        // NETSCAPE2.0 application extension: loop forever.
        out += [0x21, 0xFF, 0x0B] + Array("NETSCAPE2.0".utf8) + [0x03, 0x01, 0x00, 0x00, 0x00]
        for f in frames {
            // Graphic control extension: disposal "do not dispose", no transparency.
            out += [0x21, 0xF9, 0x04, 0x04]
            u16(max(0, min(65535, delay)))
            out += [0x00, 0x00]
            // Image descriptor: the whole screen, no local colour table, not interlaced.
            out.append(0x2C)
            u16(0); u16(0); u16(width); u16(height)
            out.append(0x00)
            out.append(8)  // LZW minimum code size
            let data = lzwCompress(f.indices, minimumCodeSize: 8)
            var start = 0
            while start < data.count {
                let n = min(255, data.count - start)
                out.append(UInt8(n))
                out += data[start..<(start + n)]
                start += n
            }
            out.append(0x00)
        }
        out.append(0x3B)
        return out
    }

    /// GIF's variable-width LZW (codes LSB-first, clear = 2^m, end = 2^m + 1, code width from
    /// m + 1 up to 12 bits, the table cleared when it reaches 4096 entries).
    public static func lzwCompress(_ indices: [UInt8], minimumCodeSize m: Int) -> [UInt8] {
        let clear = 1 << m, end = clear + 1
        var bytes: [UInt8] = []
        var buffer = 0, bits = 0
        func emit(_ code: Int, _ width: Int) {
            buffer |= code << bits
            bits += width
            while bits >= 8 {
                bytes.append(UInt8(buffer & 0xFF))
                buffer >>= 8
                bits -= 8
            }
        }
        var table: [Int: Int] = [:]
        var codeSize = m + 1, next = end + 1
        emit(clear, codeSize)
        guard var prefix = indices.first.map(Int.init) else {
            emit(end, codeSize)
            if bits > 0 { bytes.append(UInt8(buffer & 0xFF)) }
            return bytes
        }
        for k in indices.dropFirst() {
            let key = prefix << 8 | Int(k)
            if let code = table[key] { prefix = code; continue }
            emit(prefix, codeSize)
            if next < 4096 {
                table[key] = next
                next += 1
                if next > (1 << codeSize) && codeSize < 12 { codeSize += 1 }
            } else {
                emit(clear, codeSize)
                table.removeAll(keepingCapacity: true)
                codeSize = m + 1
                next = end + 1
            }
            prefix = Int(k)
        }
        emit(prefix, codeSize)
        // The decoder adds a table entry after this code too, which may widen the end code.
        if next < 4096 && next + 1 > (1 << codeSize) && codeSize < 12 { codeSize += 1 }
        emit(end, codeSize)
        if bits > 0 { bytes.append(UInt8(buffer & 0xFF)) }
        return bytes
    }
}
