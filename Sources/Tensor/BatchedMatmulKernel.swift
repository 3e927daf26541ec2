/// Batched matrix product of 3-D tensors: `C[b] = op(A[b]) op(B[b])` for every `b`, one
/// `Gemm.sgemm` per batch entry, entries spread over the workers. Used by attention: `q^T k` is `bmm(q, k, transposeA: true)`
/// on `[B, C, HW]` tensors and `o = v w^T` is `bmm(v, w, transposeB: true)`.
///
/// Gradients are those of `MatmulKernel` applied per batch entry.
public enum BatchedMatmulKernel {
    /// `(batch, M, K, N)`; fails with both shapes when the batch sizes or inner dimensions differ.
    public static func dimensions(_ a: [Int], _ b: [Int], transposeA: Bool, transposeB: Bool) -> (batch: Int, m: Int, k: Int, n: Int) {
        precondition(a.count == 3 && b.count == 3, "bmm: expected 3-D operands, got shapes \(a) and \(b)")
        precondition(a[0] == b[0], "bmm: batch sizes differ for shapes \(a) and \(b)")
        let (m, k, n) = MatmulKernel.dimensions(Array(a[1...]), Array(b[1...]),
                                                transposeA: transposeA, transposeB: transposeB, "bmm")
        return (a[0], m, k, n)
    }

    /// `op(A[b]) op(B[b])` for every batch entry, as a new `[batch, M, N]` tensor.
    public static func bmm(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        let (batch, m, k, n) = dimensions(a.shape, b.shape, transposeA: transposeA, transposeB: transposeB)
        let c = Tensor(uninitialized: [batch, m, n])
        // bf16 (see `MatmulKernel.matmul`): oneDNN's bf16 matmul, or rounded operands.
        if MixedPrecision.mode == .bf16, OneDNNMatmul.product(a, b, transposeA: transposeA, transposeB: transposeB,
                                                              batch: batch, m: m, k: k, n: n, into: c.pointer, beta: 0) {
            return c
        }
        let (a, b) = (MixedPrecision.operand(a), MixedPrecision.operand(b))
        let lda = a.shape[2], ldb = b.shape[2]
        let strideA = a.shape[1] * a.shape[2], strideB = b.shape[1] * b.shape[2]
        let (ap, bp, cp) = (a.pointer, b.pointer, c.pointer)
        // Batch entries in parallel, each a single-threaded GEMM (when OpenBLAS threads each
        // GEMM itself, one after another).
        let threads = Gemm.workerThreads
        Parallel.forChunks(batch, cost: m * n * k, threads: threads) { entries in
            // One chunk covering every entry means no parallel region: each GEMM may split itself.
            let inner = entries.count == batch ? threads : 1
            for i in entries {
                Gemm.sgemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k,
                           a: ap + i * strideA, lda: lda, b: bp + i * strideB, ldb: ldb,
                           beta: 0, c: cp + i * m * n, ldc: n, threads: inner)
            }
        }
        return c
    }

    /// Gradients of `C = bmm(A, B)` given `dC`, each in the stored layout of its input
    /// (the identities of `MatmulKernel.gradients`, per batch entry).
    public static func gradients(_ gradC: Tensor, _ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool,
                                 needA: Bool = true, needB: Bool = true) -> (a: Tensor?, b: Tensor?) {
        MatmulKernel.productGradients(gradC, a, b, transposeA: transposeA, transposeB: transposeB,
                                      needA: needA, needB: needB) {
            bmm($0, $1, transposeA: $2, transposeB: $3)
        }
    }
}
