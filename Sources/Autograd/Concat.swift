import Tensor

/// `xs` joined along `axis` (`torch.cat`; negative axes count from the end); each input's
/// gradient is its slice of the output's.
public func concat(_ xs: [Variable], axis: Int) -> Variable {
    precondition(!xs.isEmpty, "concat: no inputs")
    let axis = axis < 0 ? axis + xs[0].shape.count : axis
    let y = Tensor.concatenate(xs.map(\.value), axis: axis)
    let sizes = xs.map { $0.shape[axis] }
    let needs = xs.map(\.requiresGrad)
    return Variable(y, op: "concat", inputs: xs) { g in
        var start = 0
        return sizes.enumerated().map { k, n in
            defer { start += n }
            return needs[k] ? g.sliced(axis: axis, range: start..<(start + n)) : nil
        }
    }
}
