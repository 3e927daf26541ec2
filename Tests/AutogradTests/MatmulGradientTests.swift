import XCTest
import Tensor
@testable import Autograd

/// Gradients of matmul, bmm and linear against central finite differences.
final class MatmulGradientTests: XCTestCase {
    func random(_ shape: [Int], _ stream: UInt32) -> Tensor {
        CounterRNG(seed: 5).normal([1, Tensor.count(of: shape)], purpose: .misc, stream: stream, step: 0, firstSample: 0)
            .reshaped(shape)
    }

    func testMatmulGradients() {
        let (m, k, n) = (3, 4, 5)
        for tA in [false, true] { for tB in [false, true] {
            let a = random(tA ? [k, m] : [m, k], 1), b = random(tB ? [n, k] : [k, n], 2)
            let r = GradientCheck.check(inputs: [a, b]) { v in matmul(v[0], v[1], transposeA: tA, transposeB: tB) }
            XCTAssertLessThan(r.maxRelativeError, 1e-2, "matmul tA \(tA) tB \(tB): \(r)")
        } }
    }

    func testBmmGradients() {
        let (batch, m, k, n) = (2, 3, 4, 5)
        for tA in [false, true] { for tB in [false, true] {
            let a = random(tA ? [batch, k, m] : [batch, m, k], 3), b = random(tB ? [batch, n, k] : [batch, k, n], 4)
            let r = GradientCheck.check(inputs: [a, b]) { v in bmm(v[0], v[1], transposeA: tA, transposeB: tB) }
            XCTAssertLessThan(r.maxRelativeError, 1e-2, "bmm tA \(tA) tB \(tB): \(r)")
        } }
    }

    func testLinearGradients() {
        let x = random([4, 6], 5), w = random([3, 6], 6), b = random([3], 7)
        let r = GradientCheck.check(inputs: [x, w, b]) { v in linear(v[0], weight: v[1], bias: v[2]) }
        XCTAssertLessThan(r.maxRelativeError, 1e-2, "linear: \(r)")
        let r2 = GradientCheck.check(inputs: [x, w]) { v in linear(v[0], weight: v[1], bias: nil) }
        XCTAssertLessThan(r2.maxRelativeError, 1e-2, "linear without bias: \(r2)")
    }

    func testLinearGradientOnlyForInputsThatNeedIt() {
        let x = Variable(random([2, 3], 8))                         // a constant
        let w = Variable(random([4, 3], 9), requiresGrad: true)
        sum(linear(x, weight: w, bias: nil)).backward()
        XCTAssertNil(x.grad)
        // dW[o, i] = sum_n x[n, i] for L = sum(y)
        let xs = x.value.scalars
        for o in 0..<4 { for i in 0..<3 {
            XCTAssertEqual(w.grad!.pointer[o * 3 + i], xs[i] + xs[3 + i], accuracy: 1e-5)
        } }
    }
}
