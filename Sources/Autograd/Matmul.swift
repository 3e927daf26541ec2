import Tensor

/// Matrix product `op(a) op(b)` of 2-D variables (`a` `[M, K]`, `b` `[K, N]` as stored, or
/// transposed when the flags say so). Backward: `dA = dC B^T`, `dB = A^T dC`
/// (see `MatmulKernel.gradients`).
public func matmul(_ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false) -> Variable {
    let av = a.value, bv = b.value
    let c = MatmulKernel.matmul(av, bv, transposeA: transposeA, transposeB: transposeB)
    return Variable(c, op: "matmul", inputs: [a, b]) { [needA = a.requiresGrad, needB = b.requiresGrad] g in
        let (ga, gb) = MatmulKernel.gradients(g, av, bv, transposeA: transposeA, transposeB: transposeB,
                                              needA: needA, needB: needB)
        return [ga, gb]
    }
}
