import Tensor

/// Fully connected layer `y = x W^T + b` with `x` `[N, in]`, `W` `[out, in]` (PyTorch layout)
/// and optional `b` `[out]`. Backward: `dx = dy W`, `dW = dy^T x`, `db = sum_n dy[n, :]`
/// (see `LinearKernel`).
public func linear(_ x: Variable, weight: Variable, bias: Variable?) -> Variable {
    let xv = x.value, wv = weight.value
    let y = LinearKernel.forward(xv, weight: wv, bias: bias?.value)
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    let hasBias = bias != nil
    return Variable(y, op: "linear", inputs: inputs) { g in
        var grads: [Tensor?] = [needX ? LinearKernel.backwardInput(g, weight: wv) : nil,
                                needW ? LinearKernel.backwardWeight(g, input: xv) : nil]
        if hasBias { grads.append(needB ? LinearKernel.backwardBias(g) : nil) }
        return grads
    }
}
