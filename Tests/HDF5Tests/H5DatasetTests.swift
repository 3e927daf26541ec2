import Foundation
import XCTest
@testable import HDF5

final class H5DatasetTests: TemporaryFolderTestCase {
    func testRoundTripOfEveryElementTypeAndShape() throws {
        let file = path("types.h5")
        let floats: [Float] = (0..<24).map { Float($0) * 0.5 - 3.25 }
        let doubles: [Double] = (0..<6).map { Double($0) / 3 }
        let bytes: [UInt8] = [0, 1, 127, 128, 254, 255]
        let longs: [Int64] = [Int64.min, -1, 0, 1, Int64.max]
        do {
            let h5 = try H5File.create(file)
            try h5.createDataset("f32", values: floats, shape: [2, 3, 4])
            try h5.createDataset("f64", values: doubles, shape: [6])
            try h5.createDataset("u8", values: bytes, shape: [3, 2])
            try h5.createDataset("i64", values: longs, shape: [5])
            try h5.createDataset("scalar", values: [Double.pi], shape: [])
            try h5.createDataset("empty", values: [Float](), shape: [0, 3])
            try h5.close()
        }
        let h5 = try H5File.open(file)
        let f32 = try h5.dataset(named: "f32")
        XCTAssertEqual(f32.shape, [2, 3, 4])
        XCTAssertEqual(f32.elementType, .float32)
        XCTAssertEqual(try f32.read(as: Float.self), floats)
        XCTAssertEqual(try h5.dataset(named: "f64").read(as: Double.self), doubles)
        XCTAssertEqual(try h5.dataset(named: "f64").elementType, .float64)
        XCTAssertEqual(try h5.dataset(named: "u8").read(as: UInt8.self), bytes)
        XCTAssertEqual(try h5.dataset(named: "u8").elementType, .uint8)
        XCTAssertEqual(try h5.dataset(named: "i64").read(as: Int64.self), longs)
        XCTAssertEqual(try h5.dataset(named: "i64").elementType, .int64)
        XCTAssertEqual(try h5.dataset(named: "scalar").shape, [])
        XCTAssertEqual(try h5.dataset(named: "scalar").read(as: Double.self), [Double.pi])
        XCTAssertEqual(try h5.dataset(named: "empty").shape, [0, 3])
        XCTAssertEqual(try h5.dataset(named: "empty").read(as: Float.self), [])
        // HDF5 converts on read: uint8 stored, Float requested.
        XCTAssertEqual(try h5.dataset(named: "u8").read(as: Float.self), bytes.map { Float($0) })
    }

    func testReadingRowRangesAlongAxisZero() throws {
        let file = path("rows.h5")
        let values: [Float] = (0..<(10 * 2 * 3)).map(Float.init)
        let h5 = try H5File.create(file)
        let dataset = try h5.createDataset("x", values: values, shape: [10, 2, 3])
        XCTAssertEqual(dataset.rowCount, 6)
        XCTAssertEqual(try dataset.readRows(3..<5, as: Float.self), Array(values[18..<30]))
        XCTAssertEqual(try dataset.readRows(9..<10, as: Float.self), Array(values[54..<60]))
        XCTAssertEqual(try dataset.readRows(4..<4, as: Float.self), [])
        XCTAssertThrowsError(try dataset.readRows(8..<11, as: Float.self)) { error in
            XCTAssertTrue("\(error)".contains("out of bounds"), "\(error)")
            XCTAssertTrue("\(error)".contains("rows.h5:/x"), "\(error)")
        }
        var buffer = [Float](repeating: -1, count: 5)
        XCTAssertThrowsError(try buffer.withUnsafeMutableBufferPointer { try dataset.readRows(0..<1, into: $0) })
    }

    func testWritingRowRangesAndChunkedCompressedDatasets() throws {
        let file = path("chunked.h5")
        let rows = 50, inner = 4 * 4
        let values: [UInt8] = (0..<(rows * inner)).map { UInt8(truncatingIfNeeded: $0 * 7) }
        do {
            let h5 = try H5File.create(file)
            let dataset = try h5.createDataset("images", elementType: .uint8, shape: [rows, 1, 4, 4], compression: 4)
            for start in stride(from: 0, to: rows, by: 16) {
                let end = min(rows, start + 16)
                try dataset.writeRows(start..<end, Array(values[(start * inner)..<(end * inner)]))
            }
            try h5.createDataset("explicit", values: [Float](repeating: 1.5, count: 40), shape: [10, 4], chunkShape: [3, 4])
            XCTAssertThrowsError(try h5.createDataset("bad", elementType: .float32, shape: [10, 4], chunkShape: [3]))
            XCTAssertThrowsError(try h5.createDataset("badLevel", elementType: .float32, shape: [10], compression: 12))
            try h5.close()
        }
        let h5 = try H5File.open(file)
        XCTAssertEqual(try h5.dataset(named: "images").read(as: UInt8.self), values)
        XCTAssertEqual(try h5.dataset(named: "images").readRows(20..<23, as: UInt8.self), Array(values[(20 * inner)..<(23 * inner)]))
        XCTAssertEqual(try h5.dataset(named: "explicit").read(as: Float.self), [Float](repeating: 1.5, count: 40))
    }

    func testWritingTheWrongNumberOfValuesThrows() throws {
        let h5 = try H5File.create(path("wrong.h5"))
        XCTAssertThrowsError(try h5.createDataset("x", values: [Float](repeating: 0, count: 5), shape: [2, 3])) { error in
            XCTAssertTrue("\(error)".contains("[2, 3]"), "\(error)")
        }
        let dataset = try h5.createDataset("y", elementType: .float64, shape: [4])
        XCTAssertThrowsError(try dataset.write([1.0, 2.0]))
    }

    func testH5DumpReadsWhatWeWrite() throws {
        let h5dump = "/usr/bin/h5dump"
        // .ci/run installs hdf5-tools, so h5dump is a hard requirement of the suite.
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: h5dump), "h5dump not found: install hdf5-tools")
        let file = path("dump.h5")
        do {
            let h5 = try H5File.create(file)
            let group = try h5.createGroup("model")
            try group.createDataset("weight", values: [Float(1.5), -2.25, 3], shape: [3], compression: 1)
            try group.setAttribute("note", "hello")
            try h5.setAttribute("step", Int64(42))
            try h5.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: h5dump)
        process.arguments = [file]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("DATASET \"weight\""), output)
        XCTAssertTrue(output.contains("1.5, -2.25, 3"), output)
        XCTAssertTrue(output.contains("ATTRIBUTE \"step\""), output)
        XCTAssertTrue(output.contains("42"), output)
        XCTAssertTrue(output.contains("\"hello\""), output)
        XCTAssertTrue(output.contains("H5T_CSET_UTF8"), output)
    }
}
