import Foundation
@testable import NN
import Tensor
import XCTest

final class EMATests: XCTestCase {
    func testFixedDecayFollowsTheFormula() {
        let set = ParameterSet(TwoParameterModule(a: [0, 10], b: [1], bShape: [1]))
        let ema = EMA(set, decay: .fixed(0.9))
        var expected = set.values.scalars.map(Double.init)
        for step in 1...5 {
            set.values.assign(Tensor(shape: [3], values: [Float(step), -Float(step), 2]))
            ema.update()
            let p = set.values.scalars
            for i in 0..<3 { expected[i] = 0.9 * expected[i] + 0.1 * Double(p[i]) }
        }
        for (x, e) in zip(ema.shadow.scalars, expected) { XCTAssertEqual(Double(x), e, accuracy: 1e-5) }
        XCTAssertEqual(ema.updates, 5)
        XCTAssertEqual(EMA.Decay.standard, .fixed(0.9999))
    }

    func testWarmupDecayFormula() {
        let d = EMA.Decay.warmup(invGamma: 1, power: 2.0 / 3, minDecay: 0, maxDecay: 0.999)
        XCTAssertEqual(d.value(afterUpdates: 0), 0)
        XCTAssertEqual(d.value(afterUpdates: 7), 1 - pow(8.0, -2.0 / 3), accuracy: 1e-12)   // 0.75
        XCTAssertEqual(d.value(afterUpdates: 7), 0.75, accuracy: 1e-12)
        XCTAssertEqual(d.value(afterUpdates: 100_000_000), 0.999)                          // clamped
        let floored = EMA.Decay.warmup(invGamma: 10, power: 1, minDecay: 0.5, maxDecay: 1)
        XCTAssertEqual(floored.value(afterUpdates: 0), 0.5)
        XCTAssertEqual(floored.value(afterUpdates: 30), 0.75, accuracy: 1e-12)

        // First warmup update copies the weights; the second averages with decay 1 - 2^-1 = 0.5.
        let set = ParameterSet(TwoParameterModule(a: [0], b: [0], bShape: [1]))
        let ema = EMA(set, decay: .warmup(invGamma: 1, power: 1, minDecay: 0, maxDecay: 1))
        set.values.assign(Tensor(shape: [2], values: [4, 8])); ema.update()
        XCTAssertEqual(ema.shadow.scalars, [4, 8])
        set.values.assign(Tensor(shape: [2], values: [0, 0])); ema.update()
        XCTAssertEqual(ema.shadow.scalars, [2, 4])
    }

    func testSwapInForSampling() {
        let m = TwoParameterModule(a: [1, 2], b: [3], bShape: [1])
        let set = ParameterSet(m)
        let ema = EMA(set)
        set.values.assign(Tensor(shape: [3], values: [7, 8, 9]))
        let seen = ema.withAveragedWeights { m.a.value.scalars + m.b.value.scalars }
        XCTAssertEqual(seen, [1, 2, 3])
        XCTAssertEqual(set.values.scalars, [7, 8, 9])
        XCTAssertEqual(ema.shadow.scalars, [1, 2, 3])
    }
}
