import XCTest
@testable import Tensor

/// Matmul, bmm and linear kernels against naive triple loops (Float64 accumulation).
final class MatmulKernelTests: XCTestCase {
    func random(_ shape: [Int], _ stream: UInt32) -> Tensor {
        CounterRNG(seed: 11).normal([1, Tensor.count(of: shape)], purpose: .misc, stream: stream, step: 0, firstSample: 0)
            .reshaped(shape)
    }

    /// `op(A)[i, k]` for a stored 2-D matrix at `base`.
    func element(_ t: Tensor, base: Int, rows: Int, cols: Int, _ i: Int, _ j: Int, transposed: Bool) -> Double {
        Double(transposed ? t.pointer[base + j * cols + i] : t.pointer[base + i * cols + j])
    }

    func naiveBmm(_ a: Tensor, _ b: Tensor, tA: Bool, tB: Bool) -> [Double] {
        let batch = a.shape[0]
        let m = tA ? a.shape[2] : a.shape[1], k = tA ? a.shape[1] : a.shape[2]
        let n = tB ? b.shape[1] : b.shape[2]
        var out = [Double](repeating: 0, count: batch * m * n)
        for s in 0..<batch {
            for i in 0..<m { for j in 0..<n {
                var acc = 0.0
                for p in 0..<k {
                    acc += element(a, base: s * a.shape[1] * a.shape[2], rows: a.shape[1], cols: a.shape[2], i, p, transposed: tA)
                         * element(b, base: s * b.shape[1] * b.shape[2], rows: b.shape[1], cols: b.shape[2], p, j, transposed: tB)
                }
                out[(s * m + i) * n + j] = acc
            } }
        }
        return out
    }

    func assertClose(_ t: Tensor, _ ref: [Double], tol: Double = 1e-4, _ msg: String) {
        XCTAssertEqual(t.count, ref.count, msg)
        var worst = 0.0
        for i in 0..<min(t.count, ref.count) { worst = max(worst, abs(Double(t.pointer[i]) - ref[i])) }
        XCTAssertLessThan(worst, tol, msg)
    }

    func testMatmulAllTransposesMatchNaive() {
        let (m, k, n) = (5, 7, 3)
        for tA in [false, true] { for tB in [false, true] {
            let a = random(tA ? [k, m] : [m, k], 1), b = random(tB ? [n, k] : [k, n], 2)
            let c = MatmulKernel.matmul(a, b, transposeA: tA, transposeB: tB)
            XCTAssertEqual(c.shape, [m, n])
            assertClose(c, naiveBmm(a.reshaped([1] + a.shape), b.reshaped([1] + b.shape), tA: tA, tB: tB), "tA \(tA) tB \(tB)")
        } }
    }

    func testMatmulAccumulatesWithBeta() {
        let a = random([2, 3], 1), b = random([3, 4], 2)
        let c = Tensor(shape: [2, 4], repeating: 1)
        MatmulKernel.matmul(a, b, into: c, beta: 2)
        let ref = naiveBmm(a.reshaped([1, 2, 3]), b.reshaped([1, 3, 4]), tA: false, tB: false).map { $0 + 2 }
        assertClose(c, ref, "beta = 2")
    }

    func testBmmAllTransposesMatchNaive() {
        let (batch, m, k, n) = (3, 4, 6, 5)
        for tA in [false, true] { for tB in [false, true] {
            let a = random(tA ? [batch, k, m] : [batch, m, k], 3), b = random(tB ? [batch, n, k] : [batch, k, n], 4)
            let c = BatchedMatmulKernel.bmm(a, b, transposeA: tA, transposeB: tB)
            XCTAssertEqual(c.shape, [batch, m, n])
            assertClose(c, naiveBmm(a, b, tA: tA, tB: tB), "bmm tA \(tA) tB \(tB)")
        } }
    }

    /// Large enough that, with OpenBLAS at one thread, entries run on several workers (and a
    /// single entry splits its GEMM): still the naive product.
    func testBmmOverWorkersMatchesNaive() {
        let saved = Gemm.threads
        defer { Gemm.setThreads(saved) }
        Gemm.setThreads(1)
        for (batch, m, k, n) in [(5, 40, 36, 48), (1, 90, 70, 100)] {
            for tA in [false, true] { for tB in [false, true] {
                let a = random(tA ? [batch, k, m] : [batch, m, k], 5), b = random(tB ? [batch, n, k] : [batch, k, n], 6)
                let c = BatchedMatmulKernel.bmm(a, b, transposeA: tA, transposeB: tB)
                assertClose(c, naiveBmm(a, b, tA: tA, tB: tB), "bmm batch \(batch) tA \(tA) tB \(tB)")
            } }
        }
    }

    func testLinearMatchesNaive() {
        let x = random([4, 6], 5), w = random([3, 6], 6), bias = random([3], 7)
        let y = LinearKernel.forward(x, weight: w, bias: bias)
        XCTAssertEqual(y.shape, [4, 3])
        var ref = [Double](repeating: 0, count: 12)
        for i in 0..<4 { for o in 0..<3 {
            var acc = Double(bias.pointer[o])
            for p in 0..<6 { acc += Double(x.pointer[i * 6 + p]) * Double(w.pointer[o * 6 + p]) }
            ref[i * 3 + o] = acc
        } }
        assertClose(y, ref, "linear with bias")
        let noBias = LinearKernel.forward(x, weight: w, bias: nil)
        assertClose(noBias, (0..<12).map { ref[$0] - Double(bias.pointer[$0 % 3]) }, "linear without bias")
        let db = LinearKernel.backwardBias(y)
        for o in 0..<3 {
            XCTAssertEqual(Double(db.pointer[o]), (0..<4).map { ref[$0 * 3 + o] }.reduce(0, +), accuracy: 1e-4)
        }
    }
}
