import Tensor

/// 2-D convolution with zero padding: `x` `[B, Cin, H, W]`, `weight` `[Cout, Cin, kh, kw]`
/// (PyTorch layout), optional `bias` `[Cout]`, giving `[B, Cout, Hout, Wout]` with
/// `Hout = (H + 2 padding - kh) / stride + 1`.
/// Forward and backward are the im2col + GEMM kernels of `Conv2dKernel`
/// (`dx = col2im(W^T dY)`, `dW = dY cols^T`, `db = sum_{b, h, w} dY`).
public func conv2d(_ x: Variable, weight: Variable, bias: Variable?, stride: Int = 1, padding: Int = 0) -> Variable {
    let xv = x.value, wv = weight.value
    let y = Conv2dKernel.forward(xv, weight: wv, bias: bias?.value, stride: stride, padding: padding)
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    let hasBias = bias != nil
    return Variable(y, op: "conv2d", inputs: inputs) { g in
        let (dx, dw) = Conv2dKernel.backward(g, input: xv, weight: wv, stride: stride, padding: padding,
                                             needInput: needX, needWeight: needW)
        var grads: [Tensor?] = [dx, dw]
        if hasBias { grads.append(needB ? Conv2dKernel.backwardBias(g) : nil) }
        return grads
    }
}
