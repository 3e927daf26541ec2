import XCTest
@testable import Tensor

/// The benchmark's list of UNet convolutions against the spec's layout and the published
/// training cost of the three configurations (issue 9: 2.47, 12.9 and 37.3 GFLOP per image).
final class UNetConvShapesTests: XCTestCase {
    func testMnistLayout() {
        let shapes = UNetConvShapes(.mnist)
        XCTAssertEqual(shapes.layers.count, 63)
        let byName = Dictionary(uniqueKeysWithValues: shapes.layers.map { ($0.name, $0.geometry) })
        XCTAssertEqual(byName["input_conv"]?.weightShape, [32, 1, 3, 3])
        XCTAssertEqual(byName["down.1.blocks.0.skip"]?.weightShape, [64, 32, 1, 1])
        XCTAssertEqual(byName["down.0.downsample"]?.outputShape, [64, 32, 14, 14])
        XCTAssertNil(byName["down.2.downsample"])
        XCTAssertEqual(byName["down.2.blocks.1.attn.qkv"]?.outputShape, [64, 384, 7, 7])
        XCTAssertEqual(byName["up.2.blocks.0.conv1"]?.inputShape, [64, 256, 7, 7])   // 128 + skip 128
        XCTAssertEqual(byName["up.0.blocks.2.conv1"]?.inputShape, [64, 64, 28, 28])  // 32 + input_conv skip 32
        XCTAssertEqual(byName["out_conv"]?.outputShape, [64, 1, 28, 28])
        XCTAssertNil(byName["up.0.upsample"])
    }

    func testConvolutionsCarryAlmostAllOfTheTrainingFlops() {
        // Training is about 3x the forward FLOPs; convolutions are all of it but attention and linears.
        for (config, reference) in [(UNetConvShapes.Config.mnist, 2.47), (.cifarSmall, 12.9), (.ddpmCifar10, 37.3)] {
            let train = 3 * UNetConvShapes(config).forwardFlopsPerImage / 1e9
            XCTAssertLessThanOrEqual(train, reference * 1.005, config.name)
            XCTAssertGreaterThan(train, reference * 0.95, config.name)
        }
    }

    func testDistinctGeometriesCoverEveryLayerOnce() {
        let shapes = UNetConvShapes(.ddpmCifar10)
        let distinct = shapes.distinct
        XCTAssertEqual(distinct.reduce(0) { $0 + $1.layers.count }, shapes.layers.count)
        XCTAssertEqual(Set(distinct.map { "\($0.geometry)" }).count, distinct.count)
    }
}
