import Tensor

/// `sum(x)`: all elements to a scalar (vectorised, Float64 blocks, over threads); the gradient
/// is the output gradient broadcast back.
public func sum(_ x: Variable) -> Variable {
    let s = x.value.sum(axes: Array(0..<x.shape.count)).reshaped([])
    let shape = x.shape
    return Variable(s, op: "sum", inputs: [x]) { g in [Tensor(shape: shape, repeating: g.item)] }
}

/// `mean(x) = sum(x) / n`.
public func mean(_ x: Variable) -> Variable {
    let n = Float(max(1, x.value.count))
    let s = x.value.sum(axes: Array(0..<x.shape.count)).reshaped([])
    s.scaleInPlace(1 / n)
    let shape = x.shape
    return Variable(s, op: "mean", inputs: [x]) { g in [Tensor(shape: shape, repeating: g.item / n)] }
}

/// The sum over `axes` (negative axes count from the end); with `keepDims` the reduced axes
/// stay as size 1. The gradient is the output gradient broadcast back over those axes.
public func sum(_ x: Variable, axes: [Int], keepDims: Bool = false) -> Variable {
    let ax: [Int]
    do { ax = try Tensor.normalizedAxes(axes, shape: x.shape) } catch { preconditionFailure("sum(_:axes:): \(error)") }
    let shape = x.shape
    let kept = Tensor.reducedShape(shape, axes: ax, keepDims: true)
    let y = x.value.sum(axes: ax, keepDims: keepDims)
    return Variable(y, op: "sum-axes", inputs: [x]) { g in [g.reshaped(kept).broadcasted(to: shape)] }
}

/// The mean over `axes`: `sum(x, axes) / n` with `n` the number of elements reduced.
public func mean(_ x: Variable, axes: [Int], keepDims: Bool = false) -> Variable {
    let ax: [Int]
    do { ax = try Tensor.normalizedAxes(axes, shape: x.shape) } catch { preconditionFailure("mean(_:axes:): \(error)") }
    let n = ax.reduce(1) { $0 * x.shape[$1] }
    let shape = x.shape
    let kept = Tensor.reducedShape(shape, axes: ax, keepDims: true)
    let scale = 1 / Float(max(n, 1))
    let y = x.value.sum(axes: ax, keepDims: keepDims)
    y.scaleInPlace(scale)
    return Variable(y, op: "mean-axes", inputs: [x]) { g in
        let t = g.reshaped(kept).broadcasted(to: shape)
        t.scaleInPlace(scale)
        return [t]
    }
}
