import Foundation

/// Imports CIFAR-10 binary batches (`data_batch_1.bin` ... `test_batch.bin`): records of
/// 1 label byte (0...9) then 3072 pixel bytes (red, green, blue planes of 32 x 32, row-major),
/// i.e. already [3, 32, 32]. Files are concatenated in the order given.
public enum CIFAR10Importer {
    public static let recordSize = 1 + 3 * 32 * 32

    public static func read(batches paths: [String]) throws -> ImportedDataset {
        guard !paths.isEmpty else { throw DataError("cifar10: no batch files given") }
        var pixels: [UInt8] = [], labels: [Int64] = []
        for path in paths {
            let reader = BinaryReader(try Inflate.readMaybeGzip(path), name: path)
            guard reader.count > 0, reader.count % recordSize == 0 else {
                throw DataError("\(path): size \(reader.count) bytes is not a positive multiple of the \(recordSize)-byte CIFAR-10 record (label + 3x32x32); the last record starting at offset \(reader.count / recordSize * recordSize) is incomplete")
            }
            for start in stride(from: 0, to: reader.count, by: recordSize) {
                let label = reader.bytes[start]
                guard label < 10 else {
                    throw DataError("\(path): offset \(start): label byte is \(label), expected 0...9 (is this CIFAR-100, which has two label bytes?)")
                }
                labels.append(Int64(label))
                pixels += reader.bytes[(start + 1)..<(start + recordSize)]
            }
        }
        let names = paths.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
        return ImportedDataset(images: ImageArray(shape: [labels.count, 3, 32, 32], bytes: pixels), labels: labels,
                               source: "cifar10: \(names)")
    }
}
