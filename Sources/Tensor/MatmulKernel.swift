/// Matrix product of two 2-D tensors through `Gemm.sgemm`:
/// `C[M, N] = op(A) op(B)` with `op(X) = X` or `X^T`, where `A` and `B` are given as stored
/// (`A` is `[M, K]`, or `[K, M]` when `transposeA`; `B` is `[K, N]`, or `[N, K]` when `transposeB`).
///
/// Backward of `C = A B` (the standard matrix-calculus identities): `dA = dC B^T`, `dB = A^T dC`;
/// `gradients(...)` applies them for every transpose combination so that each gradient comes
/// out in its input's stored layout without an explicit transpose.
public enum MatmulKernel {
    /// The logical `(M, K, N)` of `op(A) op(B)`; fails with both shapes if they do not chain.
    public static func dimensions(_ a: [Int], _ b: [Int], transposeA: Bool, transposeB: Bool,
                                  _ op: String = "matmul") -> (m: Int, k: Int, n: Int) {
        precondition(a.count == 2 && b.count == 2, "\(op): expected 2-D operands, got shapes \(a) and \(b)")
        let (m, ka) = transposeA ? (a[1], a[0]) : (a[0], a[1])
        let (kb, n) = transposeB ? (b[1], b[0]) : (b[0], b[1])
        precondition(ka == kb, "\(op): inner dimensions differ for shapes \(a)\(transposeA ? "^T" : "") and \(b)\(transposeB ? "^T" : "")")
        return (m, ka, n)
    }

    /// `op(A) op(B)` as a new `[M, N]` tensor.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        let (m, _, n) = dimensions(a.shape, b.shape, transposeA: transposeA, transposeB: transposeB)
        let c = Tensor(uninitialized: [m, n])
        matmul(a, b, transposeA: transposeA, transposeB: transposeB, into: c, beta: 0)
        return c
    }

    /// `C = op(A) op(B) + beta * C`, written into an existing `[M, N]` tensor.
    /// In bf16 (`MixedPrecision.mode`) the operands are bf16 and the accumulation fp32: by
    /// oneDNN's bf16 matmul, or by rounding them (emulation) before the fp32 GEMM.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
                              into c: Tensor, beta: Float) {
        let (m, k, n) = dimensions(a.shape, b.shape, transposeA: transposeA, transposeB: transposeB)
        precondition(c.shape == [m, n], "matmul: output shape \(c.shape) is not [\(m), \(n)] for \(a.shape) x \(b.shape)")
        if MixedPrecision.mode == .bf16, (beta == 0 || beta == 1),
           OneDNNMatmul.product(a, b, transposeA: transposeA, transposeB: transposeB, batch: 1, m: m, k: k, n: n,
                                into: c.pointer, beta: beta) { return }
        let (a, b) = (MixedPrecision.operand(a), MixedPrecision.operand(b))
        Gemm.sgemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: 1,
                   a: a.pointer, lda: a.shape[1], b: b.pointer, ldb: b.shape[1],
                   beta: beta, c: c.pointer, ldc: n)
    }

    /// Gradients of `C = op(A) op(B)` given `dC`, each in the stored layout of its input:
    /// `dA = dC op(B)^T` (or its transpose `op(B) dC^T` when A is stored transposed) and
    /// `dB = op(A)^T dC` (or `dC^T op(A)` when B is stored transposed).
    public static func gradients(_ gradC: Tensor, _ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool,
                                 needA: Bool = true, needB: Bool = true) -> (a: Tensor?, b: Tensor?) {
        productGradients(gradC, a, b, transposeA: transposeA, transposeB: transposeB, needA: needA, needB: needB) {
            matmul($0, $1, transposeA: $2, transposeB: $3)
        }
    }

    /// The gradient identities above for any product `product(x, y, transposeX, transposeY)`
    /// that follows the same transpose convention (the 2-D and the batched product).
    @inline(__always)
    static func productGradients(_ gradC: Tensor, _ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool,
                                 needA: Bool, needB: Bool,
                                 _ product: (Tensor, Tensor, Bool, Bool) -> Tensor) -> (a: Tensor?, b: Tensor?) {
        let gradA: Tensor? = !needA ? nil : transposeA
            ? product(b, gradC, transposeB, true)
            : product(gradC, b, false, !transposeB)
        let gradB: Tensor? = !needB ? nil : transposeB
            ? product(gradC, a, true, transposeA)
            : product(a, gradC, !transposeA, false)
        return (gradA, gradB)
    }
}
