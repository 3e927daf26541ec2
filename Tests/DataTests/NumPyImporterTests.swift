import XCTest
@testable import Data

final class NumPyImporterTests: DataTestCase {
    func testUInt8AndFloatArraysInEveryLayout() throws {
        let bytes: [UInt8] = (0..<12).map { UInt8($0) }
        let gray = try write(ImporterTestFiles.npy(descr: "|u1", shape: [3, 2, 2], data: bytes), to: "gray.npy")
        XCTAssertEqual(try NumPyImporter.readNPY(images: gray).images, ImageArray(shape: [3, 1, 2, 2], bytes: bytes))
        // NHWC [1, 2, 2, 3] is transposed to NCHW [1, 3, 2, 2].
        let nhwc = try write(ImporterTestFiles.npy(descr: "|u1", shape: [1, 2, 2, 3], data: bytes, version2: true), to: "nhwc.npy")
        XCTAssertEqual(try NumPyImporter.readNPY(images: nhwc).images,
                       ImageArray(shape: [1, 3, 2, 2], bytes: [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]))
        let floats: [Float] = [0, 0.5, 1, 0.25]
        let nchw = try write(ImporterTestFiles.npy(descr: "<f4", shape: [1, 1, 2, 2], data: ImporterTestFiles.float32Bytes(floats)), to: "f.npy")
        let imported = try NumPyImporter.readNPY(images: nchw)
        XCTAssertEqual(imported.images, ImageArray(shape: [1, 1, 2, 2], pixels: .float32(floats), valueRange: 0...1))
        XCTAssertEqual(try NumPyImporter.readNPY(images: nchw, valueRange: -2...2).images.valueRange, -2...2)
        let signed = try write(ImporterTestFiles.npy(descr: "<f4", shape: [2, 2], data: ImporterTestFiles.float32Bytes([-3, 1, 2, 5])), to: "points.npy")
        XCTAssertNil(try NumPyImporter.readNPY(images: signed).images.valueRange, "vectors are used as stored")
        let labels = try write(ImporterTestFiles.npy(descr: "<i8", shape: [3], data: ImporterTestFiles.int64Bytes([4, 0, 2])), to: "labels.npy")
        XCTAssertEqual(try NumPyImporter.readNPY(images: gray, labels: labels).labels, [4, 0, 2])
    }

    func testMalformedNPYFilesAreRejected() throws {
        let good = ImporterTestFiles.npy(descr: "|u1", shape: [2, 2, 2], data: [UInt8](repeating: 1, count: 8))
        let magic = try write([0x93] + Array("NUMPX".utf8) + Array(good.dropFirst(6)), to: "magic.npy")
        assertThrows(["magic.npy", "offset 0", "\\x93NUMPY"]) { _ = try NumPyImporter.readNPY(images: magic) }
        let truncated = try write(Array(good.dropLast(3)), to: "truncated.npy")
        assertThrows(["truncated.npy", "truncated", "needs 8 data bytes from offset 128", "found 5"]) { _ = try NumPyImporter.readNPY(images: truncated) }
        let header = try write(Array(good.prefix(30)), to: "header.npy")
        assertThrows(["header.npy", "truncated at offset 10", "header dictionary"]) { _ = try NumPyImporter.readNPY(images: header) }
        let complex = try write(ImporterTestFiles.npy(descr: "<c8", shape: [1], data: [UInt8](repeating: 0, count: 8)), to: "complex.npy")
        assertThrows(["complex.npy", "'<c8' is not supported"]) { _ = try NumPyImporter.readNPY(images: complex) }
        let fortran = try write(ImporterTestFiles.npy(descr: "|u1", shape: [2, 2, 2], data: [UInt8](repeating: 1, count: 8), fortran: true), to: "fortran.npy")
        assertThrows(["fortran.npy", "Fortran order"]) { _ = try NumPyImporter.readNPY(images: fortran) }
        let bigEndian = try write(ImporterTestFiles.npy(descr: ">f4", shape: [1, 2], data: [UInt8](repeating: 0, count: 8)), to: "big.npy")
        assertThrows(["big.npy", "big-endian"]) { _ = try NumPyImporter.readNPY(images: bigEndian) }
        let fiveD = try write(ImporterTestFiles.npy(descr: "|u1", shape: [1, 2, 2, 2, 2], data: [UInt8](repeating: 1, count: 16)), to: "5d.npy")
        assertThrows(["5d.npy", "[1, 2, 2, 2, 2]"]) { _ = try NumPyImporter.readNPY(images: fiveD) }
        let wide = try write(ImporterTestFiles.npy(descr: "<f4", shape: [1, 1, 1, 2], data: ImporterTestFiles.float32Bytes([0, 300])), to: "wide.npy")
        assertThrows(["wide.npy", "[0.0, 300.0]", "value range"]) { _ = try NumPyImporter.readNPY(images: wide) }
        let images = try write(good, to: "images.npy")
        let labels = try write(ImporterTestFiles.npy(descr: "<i8", shape: [3], data: ImporterTestFiles.int64Bytes([1, 2, 3])), to: "labels.npy")
        assertThrows(["labels.npy", "shape [3], expected [2]"]) { _ = try NumPyImporter.readNPY(images: images, labels: labels) }
    }

    func testNPZStoredAndDeflatedEntries() throws {
        let images = ImporterTestFiles.npy(descr: "|u1", shape: [2, 2, 2], data: (0..<8).map { UInt8($0) })
        let labels = ImporterTestFiles.npy(descr: "<i8", shape: [2], data: ImporterTestFiles.int64Bytes([5, 6]))
        for deflate in [false, true] {
            let file = try write(TestArchives.zip([("x_train.npy", images, deflate), ("y_train.npy", labels, deflate)]), to: "d\(deflate).npz")
            let imported = try NumPyImporter.readNPZ(file)
            XCTAssertEqual(imported.images, ImageArray(shape: [2, 1, 2, 2], bytes: (0..<8).map { UInt8($0) }))
            XCTAssertEqual(imported.labels, [5, 6])
            XCTAssertEqual(try NumPyImporter.readNPZ(file, imagesKey: "x_train").labels, nil, "explicit images key: labels only when asked")
            XCTAssertEqual(try NumPyImporter.readNPZ(file, imagesKey: "x_train", labelsKey: "y_train").labels, [5, 6])
            assertThrows(["no array 'images'", "x_train, y_train"]) { _ = try NumPyImporter.readNPZ(file, imagesKey: "images") }
        }
        let ambiguous = try write(TestArchives.zip([("a.npy", images, false), ("b.npy", labels, false)]), to: "ambiguous.npz")
        assertThrows(["ambiguous.npz", "cannot tell which array", "a, b"]) { _ = try NumPyImporter.readNPZ(ambiguous) }
        let whole = TestArchives.zip([("images.npy", images, false)])
        let cut = try write(Array(whole.prefix(whole.count - 30)), to: "cut.npz")
        assertThrows(["cut.npz", "not a zip archive"]) { _ = try NumPyImporter.readNPZ(cut) }
        var corrupt = whole
        corrupt[40 + "images.npy".utf8.count] ^= 0xff   // a byte inside the stored .npy header
        let bad = try write(corrupt, to: "corrupt.npz")
        assertThrows(["corrupt.npz", "CRC-32"]) { _ = try NumPyImporter.readNPZ(bad) }
    }
}
