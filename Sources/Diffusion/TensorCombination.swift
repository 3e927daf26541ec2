import Tensor

/// `sum_k c_k x_k` over same-shape tensors with Float64 coefficients (accumulated in Float64
/// per element), the building block of every sampler update.
func combine(_ terms: [(Double, Tensor)]) -> Tensor {
    precondition(!terms.isEmpty, "combine: no terms")
    let shape = terms[0].1.shape
    for (_, x) in terms { precondition(x.shape == shape, "combine: shapes \(shape) and \(x.shape) differ") }
    let out = Tensor(uninitialized: shape)
    let d = out.pointer
    let cs = terms.map(\.0), ps = terms.map { $0.1.pointer }
    Parallel.forChunks(out.count) { r in
        for i in r {
            var acc = 0.0
            for k in 0..<cs.count { acc += cs[k] * Double(ps[k][i]) }
            d[i] = Float(acc)
        }
    }
    return out
}

/// Per-sample scaling: out[b, ...] = scale[b] * x[b, ...].
func scalePerSample(_ x: Tensor, _ scale: [Double]) -> Tensor {
    let b = x.shape.first ?? 1
    precondition(scale.count == b, "scalePerSample: \(scale.count) scales for a batch of shape \(x.shape)")
    let per = b == 0 ? 0 : x.count / b
    let out = Tensor(uninitialized: x.shape)
    let s = x.pointer, d = out.pointer
    for n in 0..<b { let c = Float(scale[n]); for i in 0..<per { d[n * per + i] = c * s[n * per + i] } }
    return out
}
