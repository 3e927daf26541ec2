import Foundation

/// Imports IDX files (LeCun's MNIST format, also Fashion-MNIST), raw or gzip-compressed
/// (detected by magic bytes). Header: two zero bytes, a type code (only 0x08, unsigned
/// byte, is accepted), the number of dimensions, then one big-endian uint32 per dimension;
/// then the data, exactly the product of the dimensions in bytes. Images must have 3
/// dimensions (magic 0x00000803 = 2051: N, H, W) and become [N, 1, H, W] uint8 in [0, 255];
/// labels 1 dimension (magic 0x00000801 = 2049) with the same N.
public enum IDXImporter {
    /// A parsed IDX file: dimensions and the raw bytes after the header.
    public struct IDXFile {
        public let dimensions: [Int]
        public let values: [UInt8]
    }

    /// Parses IDX bytes, checking the header, the type code and the data size.
    public static func parse(_ data: Data, name: String, expectedDimensions: Int) throws -> IDXFile {
        let reader = BinaryReader(data, name: name)
        let magic = try reader.bigEndianUInt32(at: 0, "the IDX magic number")
        let typeCode = (magic >> 8) & 0xff, rank = Int(magic & 0xff)
        let expectedMagic = 0x0800 | UInt32(expectedDimensions)
        guard magic >> 16 == 0, typeCode == 0x08, rank == expectedDimensions else {
            throw DataError("\(name): offset 0: IDX magic number is \(hex(magic)), expected \(hex(expectedMagic)) (\(expectedMagic): unsigned bytes, \(expectedDimensions) dimensions)")
        }
        var dimensions: [Int] = []
        for d in 0..<rank {
            dimensions.append(Int(try reader.bigEndianUInt32(at: 4 + 4 * d, "dimension \(d) of the IDX header")))
        }
        let header = 4 + 4 * rank
        guard let expected = BinaryReader.product(dimensions) else {
            throw DataError("\(name): offset 4: dimensions \(dimensions) describe more bytes than any file holds")
        }
        guard reader.count - header == expected else {
            let problem = reader.count - header < expected ? "truncated" : "has trailing bytes"
            throw DataError("\(name): \(problem): dimensions \(dimensions) need \(expected) data bytes after the \(header)-byte header (file size \(header + expected)), found \(reader.count - header) (offset \(reader.count))")
        }
        return IDXFile(dimensions: dimensions, values: Array(reader.bytes[header...]))
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// Imports an images file and optionally its labels file.
    public static func read(images imagesPath: String, labels labelsPath: String? = nil) throws -> ImportedDataset {
        let images = try parse(try Inflate.readMaybeGzip(imagesPath), name: imagesPath, expectedDimensions: 3)
        let (n, h, w) = (images.dimensions[0], images.dimensions[1], images.dimensions[2])
        var labels: [Int64]? = nil
        var source = "idx: \((imagesPath as NSString).lastPathComponent)"
        if let labelsPath = labelsPath {
            let file = try parse(try Inflate.readMaybeGzip(labelsPath), name: labelsPath, expectedDimensions: 1)
            guard file.dimensions[0] == n else {
                throw DataError("\(labelsPath): offset 4: \(file.dimensions[0]) labels, expected \(n) (one per image in \(imagesPath))")
            }
            labels = file.values.map { Int64($0) }
            source += " + \((labelsPath as NSString).lastPathComponent)"
        }
        return ImportedDataset(images: ImageArray(shape: [n, 1, h, w], bytes: images.values), labels: labels, source: source)
    }
}
