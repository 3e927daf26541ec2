import XCTest
import Foundation
import Tensor
@testable import Autograd

final class SoftmaxDropoutTests: XCTestCase {
    func testSoftmaxRowsSumToOneAndAreStable() {
        let x = Tensor(shape: [3, 4], values: [1, 2, 3, 4, 1000, 1001, 999, 1000, -5, -5, -5, -5])
        let y = softmax(Variable(x)).value
        XCTAssertTrue(y.isFinite)
        for r in 0..<3 {
            XCTAssertEqual(y.scalars[(r * 4)..<(r * 4 + 4)].reduce(0, +), 1, accuracy: 1e-6)
        }
        XCTAssertEqual(y.pointer[8], 0.25, accuracy: 1e-7)
        // Reference exp(x_i) / sum exp(x_j) on the first row.
        let e = [1.0, 2, 3, 4].map { Foundation.exp($0) }
        for j in 0..<4 { XCTAssertEqual(Double(y.pointer[j]), e[j] / e.reduce(0, +), accuracy: 1e-6) }
        let big = randn([64, 257], seed: 91, scale: 3)
        let yb = SoftmaxKernel.forward(big)
        for r in 0..<64 { XCTAssertEqual(yb.scalars[(r * 257)..<(r * 257 + 257)].reduce(0, +), 1, accuracy: 1e-5) }
    }

    func testSoftmaxGradient() {
        assertGradient([randn([2, 3, 5], seed: 92)], "softmax") { softmax($0[0]) }
        assertGradient([randn([4, 1], seed: 93)], "softmax single column") { softmax($0[0]) }
        assertGradient([randn([2, 6], seed: 97)], "softmax scaled") { softmax($0[0], scale: 0.35) }
        assertGradient([randn([2, 6], seed: 98)], "softmax negative scale") { softmax($0[0], scale: -2) }
        let x = randn([3, 7], seed: 99)
        XCTAssertLessThan(softmax(Variable(x), scale: 0.35).value.maxAbsDifference(softmax(Variable(x) * 0.35).value), 1e-6)
    }

    func testDropoutZeroIsIdentity() {
        let x = Variable(randn([2, 3], seed: 94), requiresGrad: true)
        let y = dropout(x, p: 0, rng: CounterRNG(seed: 1), stream: 0, step: 0, firstSample: 0)
        XCTAssertTrue(y === x)
    }

    func testDropoutMaskStatisticsAndScaling() {
        let p: Float = 0.3
        let x = Variable(Tensor(shape: [8, 4096], repeating: 1))
        let y = dropout(x, p: p, rng: CounterRNG(seed: 5), stream: 2, step: 7, firstSample: 0).value
        let kept = y.scalars.filter { $0 != 0 }
        XCTAssertTrue(kept.allSatisfy { abs($0 - 1 / (1 - p)) < 1e-6 })
        let dropRate = 1 - Double(kept.count) / Double(y.count)
        // 32768 Bernoulli(0.3) draws: standard error 0.0025.
        XCTAssertEqual(dropRate, Double(p), accuracy: 0.015)
        XCTAssertEqual(y.sum() / Double(y.count), 1, accuracy: 0.03, "inverted scaling keeps the mean")
    }

    func testDropoutMaskIsAPureFunctionOfSeedStepStreamAndSample() {
        let x = Variable(Tensor(shape: [4, 100], repeating: 1))
        let rng = CounterRNG(seed: 11)
        let a = dropout(x, p: 0.5, rng: rng, stream: 1, step: 3, firstSample: 10).value
        let again = dropout(x, p: 0.5, rng: rng, stream: 1, step: 3, firstSample: 10).value
        XCTAssertEqual(a.scalars, again.scalars)
        // Samples 12 and 13 on their own (another rank's shard) get the same masks.
        let shard = dropout(Variable(Tensor(shape: [2, 100], repeating: 1)), p: 0.5, rng: rng, stream: 1, step: 3, firstSample: 12).value
        XCTAssertEqual(Array(a.scalars[200...]), shard.scalars)
        XCTAssertNotEqual(a.scalars, dropout(x, p: 0.5, rng: rng, stream: 1, step: 4, firstSample: 10).value.scalars)
        XCTAssertNotEqual(a.scalars, dropout(x, p: 0.5, rng: rng, stream: 2, step: 3, firstSample: 10).value.scalars)
        XCTAssertNotEqual(a.scalars, dropout(x, p: 0.5, rng: CounterRNG(seed: 12), stream: 1, step: 3, firstSample: 10).value.scalars)
        XCTAssertNotEqual(Array(a.scalars[0..<100]), Array(a.scalars[100..<200]), "samples differ")
    }

    func testDropoutMaskIsTheDropoutStreamOfTheRNG() {
        // 4 samples of 37 elements (not a multiple of the 32-element SIMD batch).
        let rng = CounterRNG(seed: 21)
        let u = rng.uniform([4, 37], purpose: .dropout, stream: 3, step: 9, firstSample: 5)
        let m = DropoutKernel.mask(shape: [4, 37], p: 0.25, rng: rng, stream: 3, step: 9, firstSample: 5)
        XCTAssertEqual(m.scalars, u.scalars.map { $0 < 0.25 ? 0 : 1 / 0.75 })
    }

    func testDropoutGradientIsTheMask() {
        let x = Variable(randn([3, 50], seed: 95), requiresGrad: true)
        let y = dropout(x, p: 0.4, rng: CounterRNG(seed: 3), stream: 0, step: 1, firstSample: 0)
        sum(y).backward()
        let mask = Tensor.divide(y.value, x.value)
        XCTAssertLessThan(x.grad!.maxAbsDifference(mask), 1e-5)
        assertGradient([randn([3, 50], seed: 96)], "dropout") { dropout($0[0], p: 0.4, rng: CounterRNG(seed: 3), stream: 0, step: 1, firstSample: 0) }
    }
}
