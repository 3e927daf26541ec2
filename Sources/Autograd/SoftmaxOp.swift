import Tensor

/// Softmax over the last axis (numerically stable) of `scale * x`; the scale is fused so
/// attention can pass raw logits with `scale: 1 / sqrt(C)`. Backward
/// `dx = scale * y (dy - sum(dy y))`.
public func softmax(_ x: Variable, scale: Float = 1) -> Variable {
    let y = SoftmaxKernel.forward(x.value, scale: scale)
    return Variable(y, op: "softmax", inputs: [x]) { g in [SoftmaxKernel.backward(output: y, gradOutput: g, scale: scale)] }
}
