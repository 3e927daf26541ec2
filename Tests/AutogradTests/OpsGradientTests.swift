import XCTest
import Tensor
@testable import Autograd

func randn(_ shape: [Int], seed: UInt64, scale: Float = 1, shift: Float = 0) -> Tensor {
    let t = CounterRNG(seed: seed).normal([1, Tensor.count(of: shape)], purpose: .misc, step: 0, firstSample: 0).reshaped(shape)
    return t.affine(scale: scale, shift: shift)
}

/// Asserts a finite-difference gradient check passes.
func assertGradient(_ inputs: [Tensor], tolerance: Double = 2e-2, eps: Float = 1e-2, _ name: String,
                    file: StaticString = #filePath, line: UInt = #line, _ f: @escaping ([Variable]) -> Variable) {
    let r = GradientCheck.check(inputs: inputs, eps: eps, f)
    XCTAssertLessThan(r.maxRelativeError, tolerance, "\(name): \(r)", file: file, line: line)
}

final class OpsGradientTests: XCTestCase {
    static let broadcastPairs: [([Int], [Int])] = [
        ([2, 3, 4, 5], [2, 3, 4, 5]), ([2, 3, 4, 5], [2, 3, 1, 1]), ([2, 3, 4, 5], [1, 3, 1, 1]),
        ([2, 3, 4, 5], [2, 1, 1, 1]), ([2, 3, 4, 5], []), ([2, 3, 1, 1], [2, 3, 1, 1]), ([1, 3, 1, 1], [2, 3, 1, 1]),
        ([4, 5], [5]), ([3, 1], [1, 4]), ([2, 1, 4], [3, 1]), ([], [2, 3]),
    ]

    func testBroadcastArithmeticGradients() {
        for (sa, sb) in Self.broadcastPairs {
            let a = randn(sa, seed: 11), b = randn(sb, seed: 12, scale: 0.3, shift: 2)
            assertGradient([a, b], "add \(sa) \(sb)") { $0[0] + $0[1] }
            assertGradient([a, b], "sub \(sa) \(sb)") { $0[0] - $0[1] }
            assertGradient([a, b], "mul \(sa) \(sb)") { $0[0] * $0[1] }
            assertGradient([a, b], "div \(sa) \(sb)") { $0[0] / $0[1] }
            assertGradient([b, a], "div reversed \(sb) \(sa)") { $0[1] / $0[0] }
        }
    }

    /// Random broadcast-compatible shape pairs (seeded): ranks 1-4, dims 2-4, each dim of
    /// either side possibly 1, leading dims possibly missing (down to rank 0).
    func testRandomBroadcastShapesGradients() {
        let rng = CounterRNG(seed: 99)
        var draw: UInt32 = 0
        func uniformInt(_ n: Int) -> Int {
            draw += 1
            return Int(rng.uniformDouble(purpose: .misc, step: 0, sample: draw) * Double(n))
        }
        for trial in 0..<25 {
            let rank = 1 + uniformInt(4)
            let full = (0..<rank).map { _ in 2 + uniformInt(3) }
            var sa = full.map { uniformInt(3) == 0 ? 1 : $0 }, sb = full.map { uniformInt(3) == 0 ? 1 : $0 }
            sa.removeFirst(min(uniformInt(3), sa.count))
            sb.removeFirst(min(uniformInt(2), sb.count))
            let out = try! Tensor.broadcastShape(sa, sb)
            XCTAssertEqual(out.count, max(sa.count, sb.count))
            let a = randn(sa, seed: UInt64(100 + trial)), b = randn(sb, seed: UInt64(200 + trial), scale: 0.3, shift: 2)
            assertGradient([a, b], "mul \(sa) \(sb)") { $0[0] * $0[1] }
            assertGradient([a, b], "div \(sa) \(sb)") { $0[0] / $0[1] }
            assertGradient([a, b], "sub \(sa) \(sb)") { $0[0] - $0[1] }
        }
    }

    func testBroadcastArithmeticValues() {
        let x = Variable(Tensor(shape: [2, 2, 1, 2], values: [1, 2, 3, 4, 5, 6, 7, 8]))
        let s = Variable(Tensor(shape: [1, 2, 1, 1], values: [10, 20]))
        XCTAssertEqual((x + s).value.scalars, [11, 12, 23, 24, 15, 16, 27, 28])
        XCTAssertEqual((x * s).value.scalars, [10, 20, 60, 80, 50, 60, 140, 160])
        XCTAssertEqual((s - x).value.shape, [2, 2, 1, 2])
    }

    func testGradientOnlyForInputsThatNeedIt() {
        let a = Variable(randn([2, 3], seed: 1), requiresGrad: true)
        let b = Variable(randn([3], seed: 2))
        sum(a * b).backward()
        XCTAssertNil(b.grad)
        XCTAssertEqual(a.grad!.maxAbsDifference(b.value.broadcasted(to: [2, 3])), 0)
    }

    func testScalarArithmeticGradients() {
        let x = randn([3, 4], seed: 21, scale: 0.5, shift: 2)
        assertGradient([x], "x + c") { $0[0] + 1.5 }
        assertGradient([x], "c + x") { 1.5 + $0[0] }
        assertGradient([x], "x - c") { $0[0] - 1.5 }
        assertGradient([x], "c - x") { 1.5 - $0[0] }
        assertGradient([x], "x * c") { $0[0] * -2.5 }
        assertGradient([x], "c * x") { 3 * $0[0] }
        assertGradient([x], "x / c") { $0[0] / 4 }
        assertGradient([x], "c / x") { 2 / $0[0] }
        assertGradient([x], "-x") { -$0[0] }
        let v = Variable(Tensor(shape: [2], values: [2, 4]))
        XCTAssertEqual((1 - v).value.scalars, [-1, -3])
        XCTAssertEqual((8 / v).value.scalars, [4, 2])
        XCTAssertEqual((v / 2).value.scalars, [1, 2])
        XCTAssertEqual((-v).value.scalars, [-2, -4])
    }

    func testUnaryGradients() {
        let x = randn([2, 3, 3], seed: 31)
        let positive = randn([2, 3, 3], seed: 32, scale: 0.3, shift: 2)
        assertGradient([x], "square") { square($0[0]) }
        assertGradient([positive], "sqrt") { sqrt($0[0]) }
        assertGradient([x], "exp") { exp($0[0]) }
        assertGradient([positive], "log") { log($0[0]) }
        assertGradient([x], "sigmoid") { sigmoid($0[0]) }
        assertGradient([x], "softplus") { softplus($0[0]) }
        assertGradient([x], "sin") { sin($0[0]) }
        assertGradient([x], "cos") { cos($0[0]) }
        assertGradient([x], "silu") { silu($0[0]) }
        assertGradient([randn([1], seed: 33, scale: 10)], "silu large") { silu($0[0]) }
    }

    func testReductionOverAxesGradients() {
        let x = randn([2, 3, 2, 4], seed: 41)
        for axes in [[0], [1], [2, 3], [0, 2, 3], [-1], [0, 1, 2, 3], [1, 3]] {
            for keep in [true, false] {
                assertGradient([x], "sum \(axes) \(keep)") { sum($0[0], axes: axes, keepDims: keep) }
                assertGradient([x], "mean \(axes) \(keep)") { mean($0[0], axes: axes, keepDims: keep) }
            }
        }
        // Whole-tensor sum and mean, large enough to split over threads.
        let big = randn([64, 1000], seed: 42)
        XCTAssertEqual(Double(sum(Variable(big)).value.item), big.sum(), accuracy: 1e-3)
        XCTAssertEqual(Double(mean(Variable(big)).value.item), big.sum() / 64000, accuracy: 1e-7)
        assertGradient([randn([3, 4], seed: 43)], "sum all") { sum($0[0]) }
        assertGradient([randn([3, 4], seed: 44)], "mean all") { mean($0[0]) }
        let m = mean(Variable(Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])), axes: [1])
        XCTAssertEqual(m.value.scalars, [2, 5])
        XCTAssertEqual(m.shape, [2])
        XCTAssertEqual(sum(Variable(Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])), axes: [0], keepDims: true).value.scalars, [5, 7, 9])
    }
}
