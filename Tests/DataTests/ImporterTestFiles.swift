import Foundation

/// Builders for small importer input files, written by the tests themselves.
enum ImporterTestFiles {
    static func be32(_ v: Int) -> [UInt8] { (0..<4).reversed().map { UInt8((v >> (8 * $0)) & 0xff) } }

    /// An IDX file of unsigned bytes with the given dimensions.
    static func idx(_ dimensions: [Int], values: [UInt8]) -> [UInt8] {
        [0, 0, 8, UInt8(dimensions.count)] + dimensions.flatMap(be32) + values
    }

    /// A .npy file (format 1.0, or 2.0 with `version2`) with dtype `descr` and raw data bytes.
    static func npy(descr: String, shape: [Int], data: [UInt8], fortran: Bool = false, version2: Bool = false) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }"
        let prefix = version2 ? 12 : 10
        while (prefix + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let length = header.utf8.count
        let lengthBytes: [UInt8] = version2
            ? [UInt8(length & 0xff), UInt8(length >> 8), 0, 0] : [UInt8(length & 0xff), UInt8(length >> 8)]
        return [0x93] + Array("NUMPY".utf8) + [version2 ? 2 : 1, 0] + lengthBytes + Array(header.utf8) + data
    }

    static func float32Bytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { v in (0..<4).map { UInt8((v.bitPattern >> (8 * $0)) & 0xff) } }
    }

    static func int64Bytes(_ values: [Int64]) -> [UInt8] {
        values.flatMap { v in (0..<8).map { UInt8((UInt64(bitPattern: v) >> (8 * UInt64($0))) & 0xff) } }
    }
}
