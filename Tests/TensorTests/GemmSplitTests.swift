import XCTest
@testable import Tensor

/// `Gemm.sgemm` cut into blocks of C must equal one GEMM, for every transpose, both split
/// directions (columns when n >= m, rows otherwise), padded leading dimensions and beta != 0.
final class GemmSplitTests: XCTestCase {
    func testSplitGemmMatchesNaiveProduct() {
        var rng = SystemRandomNumberGenerator()
        for (m, n, k) in [(7, 53, 19), (70, 20, 13), (33, 33, 5), (1, 40, 3), (40, 1, 3)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    let lda = (transA ? m : k) + 2, ldb = (transB ? k : n) + 3, ldc = n + 1
                    let a = (0..<((transA ? k : m) * lda)).map { _ in Float.random(in: -1...1, using: &rng) }
                    let b = (0..<((transB ? n : k) * ldb)).map { _ in Float.random(in: -1...1, using: &rng) }
                    let c0 = (0..<(m * ldc)).map { _ in Float.random(in: -1...1, using: &rng) }
                    let (alpha, beta): (Float, Float) = (0.5, 0.25)
                    var expected = c0
                    for i in 0..<m {
                        for j in 0..<n {
                            var acc = 0.0
                            for p in 0..<k {
                                let aip = transA ? a[p * lda + i] : a[i * lda + p]
                                let bpj = transB ? b[j * ldb + p] : b[p * ldb + j]
                                acc += Double(aip) * Double(bpj)
                            }
                            expected[i * ldc + j] = Float(Double(alpha) * acc + Double(beta) * Double(c0[i * ldc + j]))
                        }
                    }
                    for workers in [1, 2, 3, 8] {
                        var c = c0
                        c.withUnsafeMutableBufferPointer { cp in
                            Gemm.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                       a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: cp.baseAddress!, ldc: ldc,
                                       workers: workers)
                        }
                        for i in 0..<m {
                            for j in 0..<ldc {
                                let index = i * ldc + j
                                // Padding columns beyond n must be left untouched.
                                let want = j < n ? expected[index] : c0[index]
                                XCTAssertEqual(c[index], want, accuracy: 1e-4,
                                               "m \(m) n \(n) k \(k) transA \(transA) transB \(transB) workers \(workers) at (\(i), \(j))")
                            }
                        }
                    }
                }
            }
        }
    }

    func testSplitOnlyWhenOpenBLASRunsOneThread() {
        let big = 1 << 10
        let saved = Gemm.threads
        defer { Gemm.setThreads(saved) }
        Gemm.setThreads(1)
        XCTAssertEqual(Gemm.splitWorkers(m: big, n: big, k: big), Parallel.threads)
        XCTAssertEqual(Gemm.splitWorkers(m: 2, n: 2, k: 2), 1, "small GEMMs stay on the calling thread")
        Gemm.setThreads(2)
        XCTAssertEqual(Gemm.splitWorkers(m: big, n: big, k: big), 1, "OpenBLAS threads the GEMM itself")
    }
}
