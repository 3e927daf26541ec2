import Tensor

/// Softmax over the last axis (numerically stable); backward `dx = y (dy - sum(dy y))`.
public func softmax(_ x: Variable) -> Variable {
    let y = SoftmaxKernel.forward(x.value)
    return Variable(y, op: "softmax", inputs: [x]) { g in [SoftmaxKernel.backward(output: y, gradOutput: g)] }
}
