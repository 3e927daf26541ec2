import Tensor

// Point-wise functions; each forward and backward is one pass of `Tensor.pointwise` /
// `Tensor.pointwiseBackward` with the function's derivative (see UnaryKernels.swift).

/// `F(x)` element-wise with `dL/dx = g F'(x)`.
@inline(__always)
func pointwiseOp<F: PointwiseFunction>(_ x: Variable, _ f: F.Type, _ name: String) -> Variable {
    let xv = x.value
    let y = xv.pointwise(F.self)
    return Variable(y, op: name, inputs: [x]) { g in [xv.pointwiseBackward(F.self, output: y, gradOutput: g)] }
}

/// `x^2`.
public func square(_ x: Variable) -> Variable { pointwiseOp(x, SquareFunction.self, "square") }
/// `sqrt(x)`.
public func sqrt(_ x: Variable) -> Variable { pointwiseOp(x, SqrtFunction.self, "sqrt") }
/// `e^x`.
public func exp(_ x: Variable) -> Variable { pointwiseOp(x, ExpFunction.self, "exp") }
/// `ln(x)`.
public func log(_ x: Variable) -> Variable { pointwiseOp(x, LogFunction.self, "log") }
/// `1 / (1 + e^-x)`.
public func sigmoid(_ x: Variable) -> Variable { pointwiseOp(x, SigmoidFunction.self, "sigmoid") }
/// `ln(1 + e^x)`, stable for large `|x|`.
public func softplus(_ x: Variable) -> Variable { pointwiseOp(x, SoftplusFunction.self, "softplus") }
/// `sin(x)`.
public func sin(_ x: Variable) -> Variable { pointwiseOp(x, SinFunction.self, "sin") }
/// `cos(x)`.
public func cos(_ x: Variable) -> Variable { pointwiseOp(x, CosFunction.self, "cos") }
/// SiLU `x sigma(x)` (Elfwing et al. 2018).
public func silu(_ x: Variable) -> Variable { pointwiseOp(x, SiLUFunction.self, "silu") }
