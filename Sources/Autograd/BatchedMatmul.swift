import Tensor

/// Batched matrix product `c[i] = op(a[i]) op(b[i])` of 3-D variables; the transposes apply
/// to the last two axes of the stored shapes (attention: `bmm(q, k, transposeA: true)` is
/// `q^T k` for `[B, C, HW]` tensors, `bmm(v, w, transposeB: true)` is `v w^T`).
/// Backward per batch entry: `dA = dC B^T`, `dB = A^T dC` (see `BatchedMatmulKernel.gradients`).
public func bmm(_ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false) -> Variable {
    let av = a.value, bv = b.value
    let c = BatchedMatmulKernel.bmm(av, bv, transposeA: transposeA, transposeB: transposeB)
    return Variable(c, op: "bmm", inputs: [a, b]) { [needA = a.requiresGrad, needB = b.requiresGrad] g in
        let (ga, gb) = BatchedMatmulKernel.gradients(g, av, bv, transposeA: transposeA, transposeB: transposeB,
                                                     needA: needA, needB: needB)
        return [ga, gb]
    }
}
