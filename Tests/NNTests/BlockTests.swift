import Autograd
import Foundation
@testable import NN
import Tensor
import XCTest

/// Gradients of the UNet's building blocks by finite differences, with every weight
/// perturbed so that zero-initialised outputs do not hide a path.
final class BlockTests: XCTestCase {
    private func perturb(_ module: Module, seed: UInt64) -> ParameterSet {
        let set = ParameterSet(module)
        set.values.addInPlace(testNormal([set.count], seed: seed, scale: 0.3))
        return set
    }

    func testResBlockWithSkipAndAttentionGradients() {
        var initialiser = ParameterInitialiser(seed: 1)
        let block = ResBlock(4, 6, embDim: 5, groups: 2, dropout: 0, dropoutStream: 0, attention: true, initialiser: &initialiser)
        XCTAssertEqual(block.namedParameters.map(\.name), [
            "norm1.weight", "norm1.bias", "conv1.weight", "conv1.bias", "emb_proj.weight", "emb_proj.bias",
            "norm2.weight", "norm2.bias", "conv2.weight", "conv2.bias", "skip.weight", "skip.bias",
            "attn.norm.weight", "attn.norm.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias"])
        let set = perturb(block, seed: 2)
        let x = testNormal([2, 4, 4, 4], seed: 3), temb = testNormal([2, 5], seed: 4)
        let check = GradientCheck.check(inputs: [x, temb], maxElements: 32) { block($0[0], tembSiLU: $0[1], context: .inference) }
        XCTAssertLessThan(check.maxRelativeError, 2e-2, "\(check)")
        let xv = Variable(x), tv = Variable(temb)
        let e = parameterGradientError(set, probes: 96) { block(xv, tembSiLU: tv, context: .inference) }
        XCTAssertLessThan(e.relative, 2e-2, e.worst)
    }

    func testResBlockWithIdentitySkipHasNoSkipParameters() {
        var initialiser = ParameterInitialiser(seed: 1)
        let block = ResBlock(4, 4, embDim: 3, groups: 2, dropout: 0, dropoutStream: 0, attention: false, initialiser: &initialiser)
        XCTAssertNil(block.skip)
        XCTAssertFalse(block.namedParameters.contains { $0.name.hasPrefix("skip") || $0.name.hasPrefix("attn") })
        // conv2 starts at zero, so a fresh block is x + 0.
        let x = testNormal([1, 4, 3, 3])
        XCTAssertEqual(block(Variable(x), tembSiLU: Variable(testNormal([1, 3])), context: .inference).value.scalars, x.scalars)
    }

    func testAttentionBlockMatchesItsFormulaAndGradients() {
        var initialiser = ParameterInitialiser(seed: 5)
        let attn = AttentionBlock(4, groups: 2, initialiser: &initialiser)
        let set = perturb(attn, seed: 6)
        let x = testNormal([2, 4, 2, 3], seed: 7)
        let y = attn(Variable(x)).value

        // Direct evaluation of the spec's formula for sample 1.
        let h = attn.norm(Variable(x)).value
        let (c, n) = (4, 6)
        let wq = attn.qkv.weight.value.pointer, bq = attn.qkv.bias.value.pointer
        func qkv(_ o: Int, _ i: Int) -> Double {   // output channel o at pixel i of sample 1
            var acc = Double(bq[o])
            for k in 0..<c { acc += Double(wq[o * c + k]) * Double(h.pointer[(1 * c + k) * n + i]) }
            return acc
        }
        var o = [Double](repeating: 0, count: c * n)
        for i in 0..<n {
            var logits = (0..<n).map { j in (0..<c).reduce(0.0) { $0 + qkv($1, i) * qkv(c + $1, j) } / Foundation.sqrt(Double(c)) }
            let m = logits.max()!
            logits = logits.map { Foundation.exp($0 - m) }
            let z = logits.reduce(0, +)
            for ch in 0..<c { o[ch * n + i] = (0..<n).reduce(0.0) { $0 + logits[$1] / z * qkv(2 * c + ch, $1) } }
        }
        let wp = attn.proj.weight.value.pointer, bp = attn.proj.bias.value.pointer
        for ch in 0..<c {
            for i in 0..<n {
                var expected = Double(x.pointer[(1 * c + ch) * n + i]) + Double(bp[ch])
                for k in 0..<c { expected += Double(wp[ch * c + k]) * o[k * n + i] }
                XCTAssertEqual(Double(y.pointer[(1 * c + ch) * n + i]), expected, accuracy: 1e-4)
            }
        }

        XCTAssertLessThan(GradientCheck.check(inputs: [x]) { attn($0[0]) }.maxRelativeError, 2e-2)
        let xv = Variable(x)
        let e = parameterGradientError(set, probes: 64) { attn(xv) }
        XCTAssertLessThan(e.relative, 2e-2, e.worst)
    }

    func testDownsampleAndUpsampleShapesAndGradients() {
        var initialiser = ParameterInitialiser(seed: 8)
        let down = Downsample(3, initialiser: &initialiser), up = Upsample(3, initialiser: &initialiser)
        XCTAssertEqual(down.namedParameters.map(\.name), ["weight", "bias"])
        XCTAssertEqual(up.namedParameters.map(\.name), ["weight", "bias"])
        let x = testNormal([2, 3, 4, 4], seed: 9)
        XCTAssertEqual(down(Variable(x)).shape, [2, 3, 2, 2])
        XCTAssertEqual(up(Variable(x)).shape, [2, 3, 8, 8])
        XCTAssertLessThan(GradientCheck.check(inputs: [x]) { down($0[0]) }.maxRelativeError, 1e-2)
        XCTAssertLessThan(GradientCheck.check(inputs: [x]) { up($0[0]) }.maxRelativeError, 1e-2)
        for m in [down as Module, up] {
            let set = ParameterSet(m)
            let xv = Variable(x)
            let e = parameterGradientError(set) { m === down ? down(xv) : up(xv) }
            XCTAssertLessThan(e.relative, 1e-2, e.worst)
        }
    }

    func testDropoutLayerGradientAndScaling() {
        let layer = Dropout(p: 0.25, stream: 3)
        let x = testNormal([3, 40], seed: 10)
        let context = ForwardContext(training: true, rng: CounterRNG(seed: 2), step: 1, firstSample: 5)
        let y = layer(Variable(x), context: context).value
        var kept = 0
        for i in 0..<x.count where y.pointer[i] != 0 {
            kept += 1
            XCTAssertEqual(y.pointer[i], x.pointer[i] / 0.75, accuracy: 1e-5)
        }
        XCTAssertTrue((60...110).contains(kept), "\(kept) of 120 kept at p = 0.25")
        XCTAssertEqual(layer(Variable(x), context: .inference).value.scalars, x.scalars)
        XCTAssertLessThan(GradientCheck.check(inputs: [x]) { layer($0[0], context: context) }.maxRelativeError, 1e-3)
        // Another stream draws another mask.
        let other = Dropout(p: 0.25, stream: 4)(Variable(x), context: context).value
        XCTAssertNotEqual(other.scalars, y.scalars)
    }
}
