import Foundation

/// Softmax over the last axis of `a = scale * x` (the scale fused for attention logits,
/// `q^T k / sqrt(C)`): `y_i = exp(a_i - max_j a_j) / sum_j exp(a_j - max_j a_j)`
/// (subtracting the row maximum keeps `exp` from overflowing), and its backward
/// `dx_i = scale * y_i (dy_i - sum_j dy_j y_j)`. Rows run in parallel.
public enum SoftmaxKernel {
    public static func forward(_ x: Tensor, scale: Float = 1) -> Tensor {
        precondition(x.rank >= 1, "softmax: input of shape \(x.shape) has no last axis")
        let n = x.shape[x.rank - 1]
        let y = Tensor(uninitialized: x.shape)
        if x.count == 0 { return y }
        let rows = x.count / n
        let px = x.pointer, py = y.pointer
        Parallel.forChunks(rows, cost: n * 8) { range in
            for row in range {
                let xi = px + row * n, yi = py + row * n
                var m = -Float.infinity
                for j in 0..<n { m = Swift.max(m, scale * xi[j]) }
                for j in 0..<n { yi[j] = fastExp(scale * xi[j] - m) }
                let inv = Float(1 / BlockSums.sum(yi, count: n))
                for j in 0..<n { yi[j] *= inv }
            }
        }
        return y
    }

    /// The input gradient from the forward output `y` and the output gradient.
    public static func backward(output y: Tensor, gradOutput g: Tensor, scale: Float = 1) -> Tensor {
        Tensor.checkSameShape(y, g, "softmax backward")
        let n = y.shape[y.rank - 1]
        let dx = Tensor(uninitialized: y.shape)
        if y.count == 0 { return dx }
        let rows = y.count / n
        let py = y.pointer, pg = g.pointer, pd = dx.pointer
        Parallel.forChunks(rows, cost: n * 3) { range in
            for row in range {
                let yi = py + row * n, gi = pg + row * n, di = pd + row * n
                let dot = Float(BlockSums.dot(gi, yi, count: n))
                for j in 0..<n { di[j] = scale * yi[j] * (gi[j] - dot) }
            }
        }
        return dx
    }
}
