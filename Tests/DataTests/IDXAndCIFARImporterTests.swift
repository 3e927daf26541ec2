import XCTest
@testable import Data

final class IDXAndCIFARImporterTests: DataTestCase {
    private let pixels: [UInt8] = (0..<(3 * 2 * 4)).map { UInt8($0 * 10) }

    func testIDXImagesAndLabelsRawAndGzip() throws {
        let images = try write(TestArchives.gzip(ImporterTestFiles.idx([3, 2, 4], values: pixels)), to: "images-idx3-ubyte.gz")
        let labels = try write(ImporterTestFiles.idx([3], values: [7, 0, 9]), to: "labels-idx1-ubyte")
        let imported = try IDXImporter.read(images: images, labels: labels)
        XCTAssertEqual(imported.images, ImageArray(shape: [3, 1, 2, 4], bytes: pixels))
        XCTAssertEqual(imported.labels, [7, 0, 9])
        XCTAssertTrue(imported.source.contains("images-idx3-ubyte.gz"))
        // Written and read back through the dataset file.
        try imported.write(to: path("out.h5"), name: "idx")
        let dataset = try DatasetFile(path: path("out.h5"))
        XCTAssertEqual(try dataset.labels([2]), [9])
        XCTAssertEqual(try dataset.samples([1]).scalars.first!, Float(80) / 127.5 - 1, accuracy: 1e-6)
    }

    func testIDXRejectsWrongMagicTruncationAndMismatchedLabels() throws {
        let labelsAsImages = try write(ImporterTestFiles.idx([3], values: [1, 2, 3]), to: "labels.idx")
        assertThrows(["labels.idx", "offset 0", "0x00000801", "expected 0x00000803"]) {
            _ = try IDXImporter.read(images: labelsAsImages)
        }
        let floats = try write([0, 0, 0x0d, 3] + ImporterTestFiles.be32(1) + ImporterTestFiles.be32(1) + ImporterTestFiles.be32(1) + [0, 0, 0, 0], to: "float.idx")
        assertThrows(["float.idx", "0x00000D03"]) { _ = try IDXImporter.read(images: floats) }
        let whole = ImporterTestFiles.idx([3, 2, 4], values: pixels)
        let shortData = try write(Array(whole.dropLast(5)), to: "short.idx")
        assertThrows(["short.idx", "truncated", "24 data bytes", "16-byte header", "found 19"]) { _ = try IDXImporter.read(images: shortData) }
        let shortHeader = try write(Array(whole.prefix(10)), to: "header.idx")
        assertThrows(["header.idx", "truncated at offset 8", "dimension 1"]) { _ = try IDXImporter.read(images: shortHeader) }
        let trailing = try write(whole + [1], to: "trailing.idx")
        assertThrows(["trailing.idx", "trailing bytes"]) { _ = try IDXImporter.read(images: trailing) }
        let truncatedGzip = try write(Array(TestArchives.gzip(whole).prefix(20)), to: "cut.gz")
        assertThrows(["cut.gz", "truncated"]) { _ = try IDXImporter.read(images: truncatedGzip) }
        let images = try write(whole, to: "images.idx")
        let twoLabels = try write(ImporterTestFiles.idx([2], values: [1, 2]), to: "two-labels.idx")
        assertThrows(["two-labels.idx", "2 labels, expected 3"]) { _ = try IDXImporter.read(images: images, labels: twoLabels) }
        assertThrows(["nowhere.idx", "cannot read"]) { _ = try IDXImporter.read(images: self.path("nowhere.idx")) }
    }

    func testCIFAR10BatchesConcatenateAndValidate() throws {
        func record(_ label: UInt8, _ fill: UInt8) -> [UInt8] { [label] + [UInt8](repeating: fill, count: 3072) }
        let a = try write(record(3, 10) + record(9, 20), to: "data_batch_1.bin")
        let b = try write(record(0, 30), to: "data_batch_2.bin")
        let imported = try CIFAR10Importer.read(batches: [a, b])
        XCTAssertEqual(imported.images.shape, [3, 3, 32, 32])
        XCTAssertEqual(imported.labels, [3, 9, 0])
        guard case .uint8(let bytes) = imported.images.pixels else { return XCTFail("expected uint8 pixels") }
        XCTAssertEqual([bytes[0], bytes[3072], bytes[2 * 3072 + 3071]], [10, 20, 30])
        let short = try write(record(1, 1) + [1, 2, 3], to: "short.bin")
        assertThrows(["short.bin", "3073-byte", "offset 3073"]) { _ = try CIFAR10Importer.read(batches: [short]) }
        let badLabel = try write(record(1, 1) + record(12, 1), to: "bad-label.bin")
        assertThrows(["bad-label.bin", "offset 3073", "label byte is 12"]) { _ = try CIFAR10Importer.read(batches: [badLabel]) }
    }
}
