import Foundation

/// A point-wise function `y = f(x)` with its derivative, for the generic unary kernels.
public protocol PointwiseFunction {
    static func value(_ x: Float) -> Float
    /// `dy/dx` at `x`, given also `y = f(x)` (whichever is cheaper to use).
    static func derivative(x: Float, y: Float) -> Float
}

/// Logistic sigmoid `1 / (1 + e^-x)` with the vectorisable `fastExp` (clamped, so it never
/// overflows: for large `|x|` the result is 0 to within 1e-38, or 1).
@inlinable @inline(__always)
public func sigmoidFloat(_ x: Float) -> Float {
    1 / (1 + fastExp(-x))
}

/// `x^2`; `dy/dx = 2x`.
public enum SquareFunction: PointwiseFunction {
    @inlinable @inline(__always) public static func value(_ x: Float) -> Float { x * x }
    @inlinable @inline(__always) public static func derivative(x: Float, y: Float) -> Float { 2 * x }
}
/// `sqrt(x)`; `dy/dx = 1 / (2 y)`.
public enum SqrtFunction: PointwiseFunction {
    @inlinable @inline(__always) public static func value(_ x: Float) -> Float { x.squareRoot() }
    @inlinable @inline(__always) public static func derivative(x: Float, y: Float) -> Float { 0.5 / y }
}
/// `e^x` (`fastExp`: relative error about 1e-7, input clamped to [-87.3, 88.3]); `dy/dx = y`.
public enum ExpFunction: PointwiseFunction {
    @inlinable @inline(__always) public static func value(_ x: Float) -> Float { fastExp(x) }
    @inlinable @inline(__always) public static func derivative(x: Float, y: Float) -> Float { y }
}
/// `ln(x)`; `dy/dx = 1 / x`.
public enum LogFunction: PointwiseFunction {
    @inlinable @inline(__always) public static func value(_ x: Float) -> Float { Foundation.log(x) }
    @inlinable @inline(__always) public static func derivative(x: Float, y: Float) -> Float { 1 / x }
}
/// `sigma(x) = 1 / (1 + e^-x)`; `dy/dx = y (1 - y)`.
public enum SigmoidFunction: PointwiseFunction {
    @inlinable @inline(__always) public static func value(_ x: Float) -> Float { sigmoidFloat(x) }
    @inlinable @inline(__always) public static func derivative(x: Float, y: Float) -> Float { y * (1 - y) }
}
/// `softplus(x) = ln(1 + e^x)` computed as `max(x, 0) + log1p(e^-|x|)`; `dy/dx = sigma(x)`.
public enum SoftplusFunction: PointwiseFunction {
    @inlinable @inline(__always) public static func value(_ x: Float) -> Float {
        Swift.max(x, 0) + Foundation.log1p(fastExp(-Swift.abs(x)))
    }
    @inlinable @inline(__always) public static func derivative(x: Float, y: Float) -> Float { sigmoidFloat(x) }
}
/// `sin(x)`; `dy/dx = cos(x)`.
public enum SinFunction: PointwiseFunction {
    @inlinable @inline(__always) public static func value(_ x: Float) -> Float { Foundation.sin(x) }
    @inlinable @inline(__always) public static func derivative(x: Float, y: Float) -> Float { Foundation.cos(x) }
}
/// `cos(x)`; `dy/dx = -sin(x)`.
public enum CosFunction: PointwiseFunction {
    @inlinable @inline(__always) public static func value(_ x: Float) -> Float { Foundation.cos(x) }
    @inlinable @inline(__always) public static func derivative(x: Float, y: Float) -> Float { -Foundation.sin(x) }
}
/// SiLU (swish, Elfwing et al. 2018; Ramachandran et al. 2017): `x sigma(x)`;
/// `dy/dx = sigma(x) (1 + x (1 - sigma(x)))`.
public enum SiLUFunction: PointwiseFunction {
    @inlinable @inline(__always) public static func value(_ x: Float) -> Float { x * sigmoidFloat(x) }
    @inlinable @inline(__always) public static func derivative(x: Float, y: Float) -> Float {
        let s = sigmoidFloat(x)
        return s * (1 + x * (1 - s))
    }
}

extension Tensor {
    /// `F(x)` element-wise into a new tensor (parallel over cores for large tensors).
    @inlinable
    public func pointwise<F: PointwiseFunction>(_: F.Type) -> Tensor {
        let out = Tensor(uninitialized: shape)
        let x = pointer, y = out.pointer
        Parallel.forChunks(count, cost: 8) { r in for i in r { y[i] = F.value(x[i]) } }
        return out
    }

    /// The input gradient `gradOutput * F'(x)` of `y = F(x)`, where `self` is `x`.
    @inlinable
    public func pointwiseBackward<F: PointwiseFunction>(_: F.Type, output: Tensor, gradOutput: Tensor) -> Tensor {
        Tensor.checkSameShape(self, gradOutput, "pointwiseBackward")
        Tensor.checkSameShape(self, output, "pointwiseBackward")
        let out = Tensor(uninitialized: shape)
        let x = pointer, y = output.pointer, g = gradOutput.pointer, d = out.pointer
        Parallel.forChunks(count, cost: 8) { r in for i in r { d[i] = g[i] * F.derivative(x: x[i], y: y[i]) } }
        return out
    }

    /// `a * x + b` element-wise into a new tensor (scalar affine map).
    public func affine(scale a: Float, shift b: Float) -> Tensor {
        let out = Tensor(uninitialized: shape)
        let x = pointer, y = out.pointer
        Parallel.forChunks(count) { r in for i in r { y[i] = a * x[i] + b } }
        return out
    }

    /// `c / x` element-wise into a new tensor.
    public func reciprocal(scaledBy c: Float) -> Tensor {
        let out = Tensor(uninitialized: shape)
        let x = pointer, y = out.pointer
        Parallel.forChunks(count) { r in for i in r { y[i] = c / x[i] } }
        return out
    }
}
