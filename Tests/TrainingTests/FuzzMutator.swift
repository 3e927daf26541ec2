import Foundation

/// Deterministic mutations of a valid file for the fuzz tests: truncation, byte flips and
/// header-field overwrites with extreme values. Seeded SplitMix64, so a failing case is
/// reproduced by its seed and index (both printed in the test's failure message).
struct FuzzMutator {
    /// SplitMix64 (Steele, Lea and Flood 2014): state += golden gamma, then two xor-shift-multiplies.
    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    }

    enum Kind: String, CaseIterable { case truncate, flip, field }

    var rng: SplitMix64
    /// Bytes of the file where header fields live (field overwrites land there).
    let headerBytes: Int

    init(seed: UInt64, headerBytes: Int) {
        rng = SplitMix64(state: seed)
        self.headerBytes = headerBytes
    }

    /// Values that break size arithmetic: zero, all ones, sign bits, just past small sizes.
    static let extremes: [UInt64] = [0, 1, 0xFF, 0x7F, 0x80, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
                                     0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF, 1 << 20, 3]

    /// One mutation of `original`, and what it was (for messages).
    mutating func mutate(_ original: [UInt8]) -> (bytes: [UInt8], kind: Kind, what: String) {
        var bytes = original
        let kind = Kind.allCases[rng.below(Kind.allCases.count)]
        switch kind {
        case .truncate:
            let length = rng.below(bytes.count)
            bytes.removeSubrange(length...)
            return (bytes, kind, "truncated to \(length) of \(original.count) bytes")
        case .flip:
            let flips = 1 + rng.below(4)
            var at: [Int] = []
            for _ in 0..<flips {
                // Half the flips land in the header, where they matter most.
                let offset = rng.below(2) == 0 ? rng.below(min(headerBytes, bytes.count)) : rng.below(bytes.count)
                bytes[offset] ^= UInt8(truncatingIfNeeded: 1 + rng.below(255))
                at.append(offset)
            }
            return (bytes, kind, "bytes flipped at \(at)")
        case .field:
            let width = [1, 2, 4, 8][rng.below(4)]
            let limit = max(1, min(headerBytes, bytes.count) - width + 1)
            let offset = rng.below(limit)
            let value = Self.extremes[rng.below(Self.extremes.count)]
            let bigEndian = rng.below(2) == 0
            for k in 0..<width where offset + k < bytes.count {
                let shift = UInt64(8 * (bigEndian ? width - 1 - k : k))
                bytes[offset + k] = UInt8(truncatingIfNeeded: value >> shift)
            }
            return (bytes, kind, "\(width)-byte \(bigEndian ? "big" : "little")-endian field at \(offset) set to 0x\(String(value, radix: 16))")
        }
    }
}

/// CRC-32 (ISO 3309, polynomial 0xEDB88320), as gzip, zip and PNG use.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

/// Little writers of valid files in the formats the importers read, as seeds for mutation.
enum FuzzSeeds {
    static func le(_ v: UInt64, _ width: Int) -> [UInt8] { (0..<width).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
    static func be32(_ v: UInt32) -> [UInt8] { (0..<4).reversed().map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }

    /// IDX images (magic 0x00000803) n x h x w of a byte ramp, or labels (0x00000801).
    static func idxImages(n: Int, h: Int, w: Int) -> [UInt8] {
        be32(0x0803) + be32(UInt32(n)) + be32(UInt32(h)) + be32(UInt32(w)) + (0..<(n * h * w)).map { UInt8(truncatingIfNeeded: $0 &* 37) }
    }

    static func idxLabels(_ labels: [UInt8]) -> [UInt8] { be32(0x0801) + be32(UInt32(labels.count)) + labels }

    /// A .npy (format 1.0) with `descr` and `shape`, payload bytes given.
    static func npy(descr: String, shape: [Int], payload: [UInt8]) -> [UInt8] {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(dims)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        return [0x93] + Array("NUMPY".utf8) + [1, 0] + le(UInt64(header.utf8.count), 2) + Array(header.utf8) + payload
    }

    static func npyFloat32(shape: [Int]) -> [UInt8] {
        let count = shape.reduce(1, *)
        return npy(descr: "<f4", shape: shape, payload: (0..<count).flatMap { le(UInt64(Float(Double($0 % 11) / 10).bitPattern), 4) })
    }

    /// Raw deflate made of one stored block (RFC 1951 section 3.2.4): valid for any bytes.
    static func storedDeflate(_ data: [UInt8]) -> [UInt8] {
        [0x01] + le(UInt64(data.count), 2) + le(UInt64(~UInt16(data.count)), 2) + data
    }

    /// gzip (RFC 1952) around a stored deflate block.
    static func gzip(_ data: [UInt8]) -> [UInt8] {
        [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255] + storedDeflate(data) + le(UInt64(CRC32.checksum(data)), 4) + le(UInt64(data.count), 4)
    }

    /// A zip archive (.npz) of `entries`, each stored (method 0) or deflated (method 8).
    static func zip(_ entries: [(name: String, data: [UInt8], deflate: Bool)]) -> [UInt8] {
        var out: [UInt8] = [], directory: [UInt8] = []
        for e in entries {
            let payload = e.deflate ? storedDeflate(e.data) : e.data
            let crc = le(UInt64(CRC32.checksum(e.data)), 4)
            let name = Array(e.name.utf8)
            let method = le(e.deflate ? 8 : 0, 2)
            let sizes = le(UInt64(payload.count), 4) + le(UInt64(e.data.count), 4)
            let offset = out.count
            out += le(0x0403_4b50, 4) + le(20, 2) + le(0, 2) + method + le(0, 4) + crc + sizes + le(UInt64(name.count), 2) + le(0, 2) + name + payload
            directory += le(0x0201_4b50, 4) + le(20, 2) + le(20, 2) + le(0, 2) + method + le(0, 4) + crc + sizes
                + le(UInt64(name.count), 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(UInt64(offset), 4) + name
        }
        let directoryOffset = out.count
        out += directory
        out += le(0x0605_4b50, 4) + le(0, 2) + le(0, 2) + le(UInt64(entries.count), 2) + le(UInt64(entries.count), 2)
            + le(UInt64(directory.count), 4) + le(UInt64(directoryOffset), 4) + le(0, 2)
        return out
    }

    /// A CSV of `rows` samples with a label column and `pixels` pixel columns, and a header.
    static func csv(rows: Int, pixels: Int) -> [UInt8] {
        var text = "label," + (0..<pixels).map { "p\($0)" }.joined(separator: ",") + "\n"
        for r in 0..<rows {
            text += "\(r % 10)," + (0..<pixels).map { "\(($0 * 31 + r * 7) % 256)" }.joined(separator: ",") + "\n"
        }
        return Array(text.utf8)
    }
}
