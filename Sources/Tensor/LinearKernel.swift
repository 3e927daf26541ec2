/// Fully connected layer in PyTorch's layout: `y[N, out] = x[N, in] W^T + b`, with
/// `W` stored `[out, in]` and `b` `[out]`.
///
/// Backward: `dx = dy W` (`[N, out] x [out, in]`), `dW = dy^T x` (`[out, N] x [N, in]`),
/// `db[o] = sum_n dy[n, o]`.
public enum LinearKernel {
    public static func checkShapes(_ x: [Int], weight: [Int], bias: [Int]?) {
        precondition(x.count == 2 && weight.count == 2 && x[1] == weight[1],
                     "linear: input \(x) does not match weight \(weight) (expected [N, in] and [out, in])")
        if let bias {
            precondition(bias == [weight[0]], "linear: bias shape \(bias) is not [\(weight[0])] for weight \(weight)")
        }
    }

    /// `x W^T + b`: the bias is written into every row first and the GEMM accumulates onto it.
    public static func forward(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        checkShapes(x.shape, weight: weight.shape, bias: bias?.shape)
        let n = x.shape[0], outFeatures = weight.shape[0]
        let y = Tensor(uninitialized: [n, outFeatures])
        if let bias {
            for row in 0..<n { (y.pointer + row * outFeatures).update(from: bias.pointer, count: outFeatures) }
        }
        MatmulKernel.matmul(x, weight, transposeB: true, into: y, beta: bias == nil ? 0 : 1)
        return y
    }

    /// `dx = dy W`.
    public static func backwardInput(_ gradOut: Tensor, weight: Tensor) -> Tensor {
        MatmulKernel.matmul(gradOut, weight)
    }

    /// `dW = dy^T x`.
    public static func backwardWeight(_ gradOut: Tensor, input: Tensor) -> Tensor {
        MatmulKernel.matmul(gradOut, input, transposeA: true)
    }

    /// `db[o] = sum_n dy[n, o]`, accumulated in Float64.
    public static func backwardBias(_ gradOut: Tensor) -> Tensor {
        precondition(gradOut.rank == 2, "linear backwardBias: expected [N, out], got \(gradOut.shape)")
        let n = gradOut.shape[0], outFeatures = gradOut.shape[1]
        var acc = [Double](repeating: 0, count: outFeatures)
        let g = gradOut.pointer
        for row in 0..<n {
            let r = g + row * outFeatures
            for o in 0..<outFeatures { acc[o] += Double(r[o]) }
        }
        return Tensor(shape: [outFeatures], values: acc.map { Float($0) })
    }
}
