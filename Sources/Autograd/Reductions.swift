import Tensor

/// `sum(x)`: all elements to a scalar; the gradient is the output gradient broadcast back.
public func sum(_ x: Variable) -> Variable {
    let s = Tensor(scalar: Float(x.value.sum()))
    let shape = x.shape
    return Variable(s, op: "sum", inputs: [x]) { g in [Tensor(shape: shape, repeating: g.item)] }
}

/// `mean(x) = sum(x) / n`.
public func mean(_ x: Variable) -> Variable {
    let n = Float(max(1, x.value.count))
    let s = Tensor(scalar: Float(x.value.sum() / Double(n)))
    let shape = x.shape
    return Variable(s, op: "mean", inputs: [x]) { g in [Tensor(shape: shape, repeating: g.item / n)] }
}
