import NN
import Tensor
import XCTest
@testable import Benchmarks

/// The benchmark configurations' convolutions (`UNetConvolutions` of their UNets) against the
/// published training cost of the three networks (issue 9: 2.47, 12.9 and 37.3 GFLOP per image).
final class BenchmarkConfigTests: XCTestCase {
    func testConvolutionsCarryAlmostAllOfTheTrainingFlops() {
        // Training is about 3x the forward FLOPs; convolutions are all of it but attention and linears.
        for (config, reference) in [(TrainBenchmark.Config.mnist, 2.47), (.cifarSmall, 12.9), (.ddpmCifar10, 37.3)] {
            let train = 3 * config.convolutions.forwardFlopsPerImage / 1e9
            XCTAssertLessThanOrEqual(train, reference * 1.005, config.name)
            XCTAssertGreaterThan(train, reference * 0.95, config.name)
        }
    }

    func testDistinctGeometriesCoverEveryLayerOnce() {
        let shapes = TrainBenchmark.Config.ddpmCifar10.convolutions
        let distinct = shapes.distinct
        XCTAssertEqual(distinct.reduce(0) { $0 + $1.layers.count }, shapes.layers.count)
        XCTAssertEqual(Set(distinct.map { "\($0.geometry)" }).count, distinct.count)
    }
}
