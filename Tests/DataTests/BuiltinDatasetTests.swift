import XCTest
@testable import Data
import Tensor

final class BuiltinDatasetTests: DataTestCase {
    private func points(_ kind: ToyDataset.Kind, _ n: Int = 4000) throws -> [(Float, Float)] {
        let x = try ToyDataset(kind: kind, count: n, seed: 5).samples(Array(0..<n)).scalars
        return (0..<n).map { (x[2 * $0], x[2 * $0 + 1]) }
    }

    func testToysAreDeterministicAndIndexAddressed() throws {
        let a = ToyDataset(kind: .twoMoons, count: 100, seed: 1)
        XCTAssertEqual(try a.samples([3, 7]).scalars, try a.samples([7, 3]).scalars.chunked2Swapped())
        XCTAssertNotEqual(try a.samples([3]).scalars, try ToyDataset(kind: .twoMoons, count: 100, seed: 2).samples([3]).scalars)
    }

    func testToyDistributionsHaveTheirShapes() throws {
        // Eight Gaussians: every point lies near one of the eight centres 4/1.414 away.
        for (x, y) in try points(.eightGaussians) {
            let r = (x * x + y * y).squareRoot()
            XCTAssertLessThan(abs(r - 4 / 1.414), 2.5)
        }
        let centreCount = Set(try points(.eightGaussians).map { p -> Int in
            let a = atan2(Double(p.1), Double(p.0))
            return (Int((a / (Double.pi / 4)).rounded()) + 8) % 8
        }).count
        XCTAssertEqual(centreCount, 8)
        // Checkerboard: x in [-4, 4); occupied cells alternate: floor(x/2) + floor(y/2) is even.
        for (x, y) in try points(.checkerboard) {
            XCTAssertTrue(x >= -4 && x < 4 && y >= -4 && y < 4, "\(x), \(y)")
            let cell = Int((x / 2).rounded(.down)) + Int((y / 2).rounded(.down))
            XCTAssertEqual((cell % 2 + 2) % 2, 0, "\(x), \(y)")
        }
        // Swiss roll: radius grows with the angle, between 1.5 pi / 5 and 4.5 pi / 5 plus noise.
        let radii = try points(.swissRoll).map { ($0.0 * $0.0 + $0.1 * $0.1).squareRoot() }
        XCTAssertGreaterThan(radii.min()!, 0.0)
        XCTAssertLessThan(radii.max()!, 4.5 * .pi / 5 + 1.2)
        // Two moons: mean near (0, 0.3) after x * 2 + (-1, -0.2); y in a bounded band.
        let moons = try points(.twoMoons)
        let meanX = moons.map(\.0).reduce(0, +) / Float(moons.count)
        let meanY = moons.map(\.1).reduce(0, +) / Float(moons.count)
        XCTAssertEqual(meanX, 0, accuracy: 0.1)
        XCTAssertEqual(meanY, 0.3, accuracy: 0.1)
    }

    func testShapesAreDeterministicInRangeAndLabelled() throws {
        let shapes = try ShapesDataset(count: 64, size: 16, channels: 3, seed: 9)
        let x = try shapes.samples(Array(0..<64))
        XCTAssertEqual(x.shape, [64, 3, 16, 16])
        XCTAssertGreaterThanOrEqual(x.scalars.min()!, -1)
        XCTAssertLessThanOrEqual(x.scalars.max()!, 1)
        XCTAssertEqual(try shapes.samples([5]).scalars, Array(x.scalars[(5 * 768)..<(6 * 768)]))
        XCTAssertEqual(Set(try shapes.labels(Array(0..<64))!), [0, 1, 2, 3])
        // Every image shows a shape: it has both bright and dark pixels.
        for k in 0..<64 {
            let image = x.scalars[(k * 768)..<((k + 1) * 768)]
            XCTAssertGreaterThan(image.max()! - image.min()!, 0.5, "image \(k)")
        }
        XCTAssertNotEqual(try ShapesDataset(count: 64, size: 16, channels: 3, seed: 10).render(0), shapes.render(0))
        XCTAssertThrowsError(try ShapesDataset(count: 1, size: 4, channels: 1, seed: 0))
        XCTAssertThrowsError(try ShapesDataset(count: 1, size: 16, channels: 2, seed: 0))
    }

    func testBuiltinFilesRoundTrip() throws {
        try BuiltinDatasets.writeFile("shapes28", count: 10, seed: 4, path: path("shapes.h5"))
        let file = try DatasetFile(path: path("shapes.h5"))
        let direct = try BuiltinDatasets.make("shapes28", count: 10, seed: 4)
        XCTAssertEqual(file.sampleShape, [1, 28, 28])
        XCTAssertEqual(file.elementType, .uint8)
        XCTAssertLessThan(try file.samples([0, 9]).maxAbsDifference(try direct.samples([0, 9])), 1.0 / 255 + 1e-5)
        XCTAssertEqual(try file.labels([0, 9]), try direct.labels([0, 9]))
        try BuiltinDatasets.writeFile("swiss-roll", count: 7, seed: 4, path: path("roll.h5"))
        let roll = try DatasetFile(path: path("roll.h5"))
        XCTAssertEqual(try roll.samples(Array(0..<7)).scalars, try BuiltinDatasets.make("swiss-roll", count: 7, seed: 4).samples(Array(0..<7)).scalars)
        assertThrows(["unknown builtin dataset 'moons'", "two-moons"]) { _ = try BuiltinDatasets.make("moons", count: 1, seed: 0) }
    }
}

private extension Array where Element == Float {
    /// Swaps the two 2-element halves of a 4-element array.
    func chunked2Swapped() -> [Float] { [self[2], self[3], self[0], self[1]] }
}
