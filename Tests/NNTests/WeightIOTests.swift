import Foundation
import HDF5
@testable import NN
import Tensor
import XCTest

final class WeightIOTests: XCTestCase {
    private func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("nn-weights-\(UUID().uuidString).h5").path
    }

    func testSaveLoadRoundTripByName() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = TwoParameterModule(a: [1, 2, 3], b: [4, 5, 6, 7, 8, 9], bShape: [2, 3])
        do {
            let file = try H5File.create(path)
            try source.save(to: try file.createGroup("model"))
            try file.close()
        }
        let target = TwoParameterModule(a: [0, 0, 0], b: [0, 0, 0, 0, 0, 0], bShape: [2, 3])
        let set = ParameterSet(target)
        let file = try H5File.open(path)
        let group = try file.group(named: "model")
        XCTAssertEqual(try group.memberNames().sorted(), ["a", "inner.b"])
        XCTAssertEqual(try group.dataset(named: "inner.b").shape, [2, 3])
        XCTAssertEqual(try group.dataset(named: "inner.b").elementType, .float32)
        try target.load(from: group)
        XCTAssertEqual(target.a.value.scalars, [1, 2, 3])
        XCTAssertEqual(target.b.value.scalars, [4, 5, 6, 7, 8, 9])
        // Loaded in place: the flat buffer sees the weights.
        XCTAssertEqual(set.values.scalars, [1, 2, 3, 4, 5, 6, 7, 8, 9])

        // A flat buffer (e.g. an EMA shadow) round-trips by the same names.
        let other = Tensor(zeros: [9])
        try set.load(into: other, from: group)
        XCTAssertEqual(other.scalars, set.values.scalars)
        try file.close()
    }

    func testLoadListsMissingUnexpectedAndMisshapedTogether() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try H5File.create(path)
        let group = try file.createGroup("model")
        try group.createDataset("inner.b", values: [Float](repeating: 1, count: 6), shape: [3, 2])
        try group.createDataset("extra.weight", values: [Float](repeating: 1, count: 2), shape: [2])
        let target = TwoParameterModule(a: [9, 9, 9], b: [9, 9, 9, 9, 9, 9], bShape: [2, 3])
        XCTAssertThrowsError(try target.load(from: group)) { error in
            guard let e = error as? WeightLoadError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.missing, ["a"])
            XCTAssertEqual(e.unexpected, ["extra.weight"])
            XCTAssertEqual(e.misshaped.map(\.name), ["inner.b"])
            XCTAssertEqual(e.misshaped.first?.expected, [2, 3])
            XCTAssertEqual(e.misshaped.first?.found, [3, 2])
            let text = "\(e)"
            for piece in ["missing 1: a", "unexpected 1: extra.weight", "inner.b (expected [2, 3], found [3, 2])", "/model"] {
                XCTAssertTrue(text.contains(piece), "\(piece) not in: \(text)")
            }
        }
        // Nothing was read.
        XCTAssertEqual(target.b.value.scalars, [9, 9, 9, 9, 9, 9])
        try file.close()
    }
}
