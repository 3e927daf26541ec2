import Tensor

/// `xs` joined along `axis` (`torch.cat`); each input's gradient is its slice of the output's.
public func concat(_ xs: [Variable], axis: Int) -> Variable {
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
