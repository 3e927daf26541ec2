import Autograd
import Foundation
@testable import NN
import Tensor
import XCTest

final class LayerTests: XCTestCase {
    func testLinearShapesInitAndGradients() {
        var initialiser = ParameterInitialiser(seed: 1)
        let layer = Linear(5, 3, initialiser: &initialiser)
        XCTAssertEqual(layer.namedParameters.map(\.name), ["weight", "bias"])
        XCTAssertEqual(layer.weight.shape, [3, 5])
        XCTAssertEqual(layer.bias?.shape, [3])
        let bound = 1 / Float(5).squareRoot()
        XCTAssertTrue((layer.weight.value.scalars + layer.bias!.value.scalars).allSatisfy { abs($0) < bound })
        let x = testNormal([4, 5])
        let y = layer(Variable(x))
        XCTAssertEqual(y.shape, [4, 3])
        // y[0, 0] by hand.
        var y00 = layer.bias!.value.pointer[0]
        for k in 0..<5 { y00 += x.pointer[k] * layer.weight.value.pointer[k] }
        XCTAssertEqual(y.value.pointer[0], y00, accuracy: 1e-5)

        XCTAssertLessThan(GradientCheck.check(inputs: [x]) { layer($0[0]) }.maxRelativeError, 1e-2)
        let set = ParameterSet(layer)
        let xv = Variable(x)
        let e = parameterGradientError(set) { layer(xv) }
        XCTAssertLessThan(e.relative, 1e-2, e.worst)
    }

    func testConv2dGradients() {
        var initialiser = ParameterInitialiser(seed: 2)
        let layer = Conv2d(2, 3, kernelSize: 3, stride: 2, padding: 1, initialiser: &initialiser)
        XCTAssertEqual(layer.weight.shape, [3, 2, 3, 3])
        let x = testNormal([2, 2, 5, 5])
        XCTAssertEqual(layer(Variable(x)).shape, [2, 3, 3, 3])
        XCTAssertLessThan(GradientCheck.check(inputs: [x]) { layer($0[0]) }.maxRelativeError, 1e-2)
        let set = ParameterSet(layer)
        let xv = Variable(x)
        let e = parameterGradientError(set) { layer(xv) }
        XCTAssertLessThan(e.relative, 1e-2, e.worst)

        var zeroInit = ParameterInitialiser(seed: 2)
        let zero = Conv2d(2, 3, kernelSize: 1, zeroInit: true, initialiser: &zeroInit)
        XCTAssertEqual(zero(Variable(x)).value.scalars, [Float](repeating: 0, count: 2 * 3 * 25))
    }

    func testGroupNormGradientsAndInit() {
        var initialiser = ParameterInitialiser(seed: 3)
        let layer = GroupNorm(groups: 2, channels: 4, initialiser: &initialiser)
        XCTAssertEqual(layer.weight.value.scalars, [1, 1, 1, 1])
        XCTAssertEqual(layer.bias.value.scalars, [0, 0, 0, 0])
        let set = ParameterSet(layer)
        // Non-trivial affine parameters so their gradients are exercised.
        set.values.assign(testNormal([8], seed: 9))
        let x = testNormal([2, 4, 3, 3], seed: 4, scale: 2)
        for silu in [false, true] {
            XCTAssertLessThan(GradientCheck.check(inputs: [x], eps: 1e-2) { layer($0[0], silu: silu) }.maxRelativeError, 2e-2)
            let xv = Variable(x)
            let e = parameterGradientError(set) { layer(xv, silu: silu) }
            XCTAssertLessThan(e.relative, 1e-2, e.worst)
        }
    }

    func testSinusoidalEmbeddingValuesAndGradient() {
        let emb = SinusoidalEmbedding(dim: 8)
        XCTAssertEqual(emb.frequencies.count, 4)
        XCTAssertEqual(emb.frequencies[0], 1)
        XCTAssertEqual(Double(emb.frequencies[3]), 1e-4, accuracy: 1e-10)
        XCTAssertEqual(Double(emb.frequencies[1]), pow(10000, -1.0 / 3), accuracy: 1e-7)
        let c = Tensor(shape: [2], values: [0.5, -3])
        let e = emb(Variable(c), batch: 2)
        XCTAssertEqual(e.shape, [2, 8])
        for b in 0..<2 {
            for i in 0..<4 {
                let a = Double(c.pointer[b]) * Double(emb.frequencies[i])
                XCTAssertEqual(Double(e.value.pointer[b * 8 + i]), Foundation.sin(a), accuracy: 1e-6)       // sines first
                XCTAssertEqual(Double(e.value.pointer[b * 8 + 4 + i]), Foundation.cos(a), accuracy: 1e-6)
            }
        }
        // A scalar conditioning value is broadcast to the batch.
        let shared = emb(Variable(Tensor(scalar: 0.5)), batch: 3)
        XCTAssertEqual(shared.shape, [3, 8])
        XCTAssertEqual(Array(shared.value.scalars[16..<24]), Array(e.value.scalars[0..<8]))

        XCTAssertLessThan(GradientCheck.check(inputs: [c], eps: 1e-3) { emb($0[0], batch: 2) }.maxRelativeError, 1e-2)
        XCTAssertLessThan(GradientCheck.check(inputs: [Tensor(scalar: 1.3)], eps: 1e-3) { emb($0[0], batch: 3) }.maxRelativeError, 1e-2)
    }

    func testMLPBackboneNamesShapesAndGradients() {
        let config = MLPConfig(features: 2, hiddenWidths: [8, 6], posDim: 8, embDim: 4)
        let mlp = MLP(config, seed: 5)
        XCTAssertEqual(mlp.namedParameters.map(\.name), [
            "time_mlp.0.weight", "time_mlp.0.bias", "time_mlp.2.weight", "time_mlp.2.bias",
            "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
            "emb_proj.0.weight", "emb_proj.0.bias", "emb_proj.1.weight", "emb_proj.1.bias",
            "out.weight", "out.bias"])
        XCTAssertEqual(mlp.parameterCount, (8 * 4 + 4) + (4 * 4 + 4) + (2 * 8 + 8) + (8 * 6 + 6) + (4 * 8 + 8) + (4 * 6 + 6) + (6 * 2 + 2))
        XCTAssertEqual(mlp.timeMLP0.weight.name, "time_mlp.0.weight")
        let x = testNormal([3, 2])
        let c = Tensor(shape: [3], values: [-1, 0.2, 2])
        let y = mlp.forward(Variable(x), Variable(c), context: .inference)
        XCTAssertEqual(y.shape, [3, 2])
        XCTAssertLessThan(GradientCheck.check(inputs: [x, c]) { mlp.forward($0[0], $0[1], context: .inference) }.maxRelativeError, 1e-2)
        let set = ParameterSet(mlp)
        let xv = Variable(x), cv = Variable(c)
        let e = parameterGradientError(set, probes: 64) { mlp.forward(xv, cv, context: .inference) }
        XCTAssertLessThan(e.relative, 1e-2, e.worst)
        // Same seed, same model.
        XCTAssertEqual(ParameterSet(MLP(config, seed: 5)).values.scalars, set.values.scalars)
        XCTAssertNotEqual(ParameterSet(MLP(config, seed: 6)).values.scalars, set.values.scalars)
    }
}
