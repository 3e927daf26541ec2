import Autograd
import Tensor
import XCTest
@testable import NN

/// The UNet's convolutions derived from its config, against the spec's layout and against the
/// inputs `Conv2d` really sees in a forward pass.
final class UNetConvolutionsTests: XCTestCase {
    func testMnistLayout() {
        let shapes = UNetConvolutions(.mnist, height: 28, width: 28, batch: 64)
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

    /// Every layer, in call order, with the name of its weight and the input shape a forward
    /// pass gives it; a non-square image and a layout with 1x1 skips and attention at two depths.
    func testDerivedShapesAreTheShapesOfAForwardPass() {
        for (config, height, width) in [
            (UNetConfig(inChannels: 3, channelsPerDepth: [8, 16, 16], numBlocks: 1, attentionDepths: [0, 2],
                        posDim: 8, embDim: 16, numGroups: 4), 8, 12),
            (UNetConfig(inChannels: 1, outChannels: 2, channelsPerDepth: [4, 8], numBlocks: 2, attentionDepths: [1],
                        posDim: 8, embDim: 8, numGroups: 2), 4, 4),
        ] {
            let model = UNet(config, seed: 1)
            let names = Dictionary(uniqueKeysWithValues: model.namedParameters.map { (ObjectIdentifier($0.variable), $0.name) })
            let trace = ConvTrace()
            let x = Variable(Tensor(zeros: [1, config.inChannels, height, width]))
            ConvTrace.$recorder.withValue(trace) {
                _ = withNoGrad { model.forward(x, Variable(Tensor(shape: [1], values: [0.5])), context: .inference) }
            }
            let seen = trace.calls.map { call in
                UNetConvolutions.Layer(name: String(names[ObjectIdentifier(call.conv.weight)]!.dropLast(".weight".count)),
                                       geometry: Conv2dGeometry(input: call.input, weight: call.conv.weight.shape,
                                                                stride: call.conv.stride, padding: call.conv.padding))
            }
            XCTAssertEqual(UNetConvolutions(config, height: height, width: width, batch: 1).layers, seen, "\(config.channelsPerDepth)")
            XCTAssertEqual(seen.count, model.namedParameters.filter { $0.variable.shape.count == 4 }.count, "every convolution is called once")
        }
    }
}
