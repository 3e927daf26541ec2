import Tensor

/// The elements at `range` along `axis` (a copy; negative axes count from the end); the
/// gradient is zero outside the range.
public func slice(_ x: Variable, axis: Int, range: Range<Int>) -> Variable {
    let axis = axis < 0 ? axis + x.shape.count : axis
    let shape = x.shape
    return Variable(x.value.sliced(axis: axis, range: range), op: "slice", inputs: [x]) { g in
        [g.padded(to: shape, axis: axis, range: range)]
    }
}
