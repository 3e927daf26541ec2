import XCTest
@testable import Data
import HDF5
import Tensor

final class DatasetFileTests: DataTestCase {
    private func writeSmallImages(compression: Int? = nil) throws -> (String, [UInt8]) {
        let file = path("small.h5")
        let bytes: [UInt8] = (0..<60).map { (i: Int) -> UInt8 in UInt8((i * 37) % 256) }
        try DatasetFileWriter.write(ImageArray(shape: [10, 1, 2, 3], bytes: bytes), labels: (0..<10).map { Int64($0 % 4) },
                                    to: file, name: "small", source: "test", compression: compression)
        return (file, bytes)
    }

    func testUInt8ImagesAreScaledToMinusOneOneWhenStreamedOrLoaded() throws {
        for compression in [nil, 3] as [Int?] {
            let (file, bytes) = try writeSmallImages(compression: compression)
            for inMemory in [false, true] {
                let dataset = try DatasetFile(path: file, loadIntoMemory: inMemory)
                XCTAssertEqual(dataset.count, 10)
                XCTAssertEqual(dataset.sampleShape, [1, 2, 3])
                XCTAssertEqual(dataset.elementType, .uint8)
                let indices = [7, 2, 3, 2, 9, 0]
                let x = try dataset.samples(indices)
                XCTAssertEqual(x.shape, [6, 1, 2, 3])
                let expected = indices.flatMap { i in bytes[(i * 6)..<(i * 6 + 6)].map { Float($0) / 127.5 - 1 } }
                XCTAssertLessThan(zip(x.scalars, expected).map { abs($0 - $1) }.max()!, 1e-6)
                XCTAssertEqual(try dataset.labels(indices), indices.map { Int64($0 % 4) })
            }
        }
    }

    func testFileFormatAttributes() throws {
        let (file, _) = try writeSmallImages()
        let h5 = try H5File.open(file)
        XCTAssertEqual(try h5.stringAttribute("format"), "diffuse.dataset")
        XCTAssertEqual(try h5.attribute("format_version", as: Int64.self), 1)
        XCTAssertEqual(try h5.stringAttribute("source"), "test")
        XCTAssertEqual(try h5.dataset(named: "images").arrayAttribute("value_range", as: Double.self), [0, 255])
        XCTAssertEqual(try h5.dataset(named: "labels").attribute("num_classes", as: Int64.self), 4)
    }

    func testFloatDataUseTheirValueRangeAndACustomTarget() throws {
        let file = path("float.h5")
        let values: [Float] = [0, 0.25, 0.5, 1, 0.75, 0.1]
        try DatasetFileWriter.write(ImageArray(shape: [3, 2], pixels: .float32(values), valueRange: 0...1),
                                    to: file, name: "f", source: "test")
        let dataset = try DatasetFile(path: file, targetRange: 0...2)
        XCTAssertEqual(try dataset.samples([2, 0]).scalars, [1.5, 0.2, 0, 0.5])
        XCTAssertNil(try dataset.labels([0]))
        // Without value_range, float data are used as stored.
        let raw = path("raw.h5")
        try DatasetFileWriter.write(ImageArray(shape: [3, 2], pixels: .float32(values), valueRange: nil),
                                    to: raw, name: "f", source: "test")
        XCTAssertEqual(try DatasetFile(path: raw).samples([1]).scalars, [0.5, 1])
    }

    func testBadFilesAreRejectedWithTheirNames() throws {
        assertThrows(["missing.h5", "no such dataset file"]) { _ = try DatasetFile(path: self.path("missing.h5")) }
        let noImages = path("no-images.h5")
        try H5File.create(noImages).close()
        assertThrows(["no-images.h5", "no /images"]) { _ = try DatasetFile(path: noImages) }
        let wrongFormat = path("wrong-format.h5")
        do {
            let h5 = try H5File.create(wrongFormat)
            try h5.setAttribute("format", "diffuse.checkpoint")
            try h5.close()
        }
        assertThrows(["wrong-format.h5", "diffuse.checkpoint"]) { _ = try DatasetFile(path: wrongFormat) }
        let badLabels = path("bad-labels.h5")
        do {
            let h5 = try H5File.create(badLabels)
            try h5.createDataset("images", values: [UInt8](repeating: 1, count: 12), shape: [3, 4])
            try h5.createDataset("labels", values: [Int64(1), 2], shape: [2])
            try h5.close()
        }
        assertThrows(["bad-labels.h5:/labels", "expected [3]"]) { _ = try DatasetFile(path: badLabels) }
        let garbage = try write([UInt8](repeating: 9, count: 300), to: "garbage.h5")
        assertThrows(["garbage.h5"]) { _ = try DatasetFile(path: garbage) }
    }

    func testBatchLoadingAppliesTheSamplersFlips() throws {
        let file = path("flip.h5")
        try DatasetFileWriter.write(ImageArray(shape: [4, 1, 1, 3], bytes: (0..<12).map { UInt8($0 * 20) }),
                                    to: file, name: "f", source: "test")
        let dataset = try DatasetFile(path: file)
        let batch = ShardedBatch(epoch: 0, batch: 0, step: 0, indices: [1, 2], firstSample: 0, flips: [true, false])
        let x = try dataset.samples(for: batch)
        let scale: (Int) -> Float = { Float($0 * 20) / 127.5 - 1 }
        let expected = [scale(5), scale(4), scale(3), scale(6), scale(7), scale(8)]
        XCTAssertLessThan(zip(x.scalars, expected).map { abs($0 - $1) }.max()!, 1e-6, "\(x.scalars)")
    }

    func testRunsGroupConsecutiveIndices() {
        let runs = DatasetFile.runs([5, 3, 4, 9, 4])
        XCTAssertEqual(runs.map(\.rows), [3..<6, 9..<10])
        XCTAssertEqual(runs.map(\.positions), [[1, 2, 4, 0], [3]])
    }
}
