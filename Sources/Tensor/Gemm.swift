import CBLAS
import Dispatch

/// Row-major single-precision GEMM through OpenBLAS:
/// `C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C`.
///
/// Threading: when OpenBLAS runs one thread (what `ThreadBudget.apply` sets), a large GEMM is
/// cut into independent GEMMs on disjoint blocks of C (`Parallel.chunksPerWorker` per
/// worker, taken as workers come free), column blocks when
/// `n >= m` (each repacks all of `op(A)`) and row blocks otherwise (each repacks `op(B)`), and
/// run on Dispatch's workers, the same pool as the element-wise loops. OpenBLAS's own pthread
/// workers instead spin in `sched_yield` for a while after every call, taking a core from
/// the element-wise loops that follow.
public enum Gemm {
    /// Below this many multiply-adds a GEMM runs on the calling thread.
    public static let minParallelMultiplyAdds = 1 << 19
    /// Column blocks are rounded to this width (a multiple of OpenBLAS's sgemm kernel widths).
    static let blockAlignment = 16
    /// Narrowest block when a GEMM is cut into more blocks than workers: each block repacks the
    /// whole other operand, which costs about 1 / width of its multiply-adds.
    static let minBlock = 64

    /// `threads` caps the blocks (1 inside a region that is already parallel), as in
    /// `Parallel.forChunks`.
    @inline(__always)
    public static func sgemm(transA: Bool = false, transB: Bool = false,
                             m: Int, n: Int, k: Int,
                             alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0,
                             c: UnsafeMutablePointer<Float>, ldc: Int,
                             threads: Int = Parallel.threads) {
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
              beta: beta, c: c, ldc: ldc, workers: splitWorkers(m: m, n: n, k: k, threads: threads))
    }

    /// Threads Diffuse may run around GEMMs: `Parallel.threads` when OpenBLAS runs one thread,
    /// 1 when OpenBLAS threads each GEMM itself (more would oversubscribe the cores).
    public static var workerThreads: Int { openblas_get_num_threads() == 1 ? Parallel.threads : 1 }

    /// The number of blocks `sgemm` cuts a GEMM into, at most `threads` and `workerThreads`.
    @inline(__always)
    static func splitWorkers(m: Int, n: Int, k: Int, threads: Int = Parallel.threads) -> Int {
        if threads <= 1 || m * n * k < minParallelMultiplyAdds { return 1 }
        return min(threads, workerThreads)
    }

    /// `sgemm` cut into `workers` blocks of C (for tests: any count, whatever OpenBLAS's threads).
    static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                      a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                      beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, workers: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            // BLAS would scale C by beta; do it explicitly for clarity.
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        let splitColumns = n >= m
        let extent = splitColumns ? n : m
        let alignment = splitColumns ? blockAlignment : 1
        // `Parallel.chunksPerWorker` blocks per worker, each at least `minBlock` wide.
        let wanted = Parallel.chunkCount(items: extent, workers: workers, minItems: minBlock)
        var block = (extent + wanted - 1) / max(1, wanted)
        block = (block + alignment - 1) / alignment * alignment
        let blocks = (extent + block - 1) / max(1, block)
        if blocks <= 1 {
            call(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        Parallel.dynamic(chunks: blocks, workers: workers) { w, _ in
            let lo = w * block, count = min(extent, lo + block) - lo
            if count <= 0 { return }
            if splitColumns {
                // C[:, lo..<hi] = op(A) op(B)[:, lo..<hi]
                call(transA, transB, m, count, k, alpha, a, lda, b + (transB ? lo * ldb : lo), ldb, beta, c + lo, ldc)
            } else {
                // C[lo..<hi, :] = op(A)[lo..<hi, :] op(B)
                call(transA, transB, count, n, k, alpha, a + (transA ? lo : lo * lda), lda, b, ldb, beta, c + lo * ldc, ldc)
            }
        }
    }

    @inline(__always)
    private static func call(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                             _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                             _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        cblas_sgemm(CblasRowMajor,
                    transA ? CblasTrans : CblasNoTrans,
                    transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Sets the OpenBLAS thread count; at 1, large GEMMs are split over `Parallel.threads`.
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
    public static var threads: Int { Int(openblas_get_num_threads()) }
}
