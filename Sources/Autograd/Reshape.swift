import Tensor

/// `x` viewed with another shape of the same element count (one dimension may be -1).
/// No copy: the result shares `x`'s memory; the gradient is reshaped back.
public func reshape(_ x: Variable, _ shape: [Int]) -> Variable {
    let original = x.shape
    return Variable(x.value.reshaped(shape), op: "reshape", inputs: [x]) { g in [g.reshaped(original)] }
}
