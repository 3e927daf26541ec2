import Tensor

// Element-wise `+ - * /` between variables with NumPy broadcasting (`Tensor.broadcastShape`).
// The gradient of a broadcast input is the output gradient summed over the axes along which
// it was repeated (`Tensor.summed(toShape:)`).

/// `a + b`; `dL/da = sum_bcast(g)`, `dL/db = sum_bcast(g)`.
public func + (a: Variable, b: Variable) -> Variable {
    let y = Tensor.add(a.value, b.value)
    let sa = a.shape, sb = b.shape, na = a.requiresGrad, nb = b.requiresGrad
    return Variable(y, op: "add", inputs: [a, b]) { g in
        [na ? g.summed(toShape: sa) : nil, nb ? g.summed(toShape: sb) : nil]
    }
}

/// `a - b`; `dL/da = sum_bcast(g)`, `dL/db = -sum_bcast(g)`.
public func - (a: Variable, b: Variable) -> Variable {
    let y = Tensor.subtract(a.value, b.value)
    let sa = a.shape, sb = b.shape, na = a.requiresGrad, nb = b.requiresGrad
    return Variable(y, op: "sub", inputs: [a, b]) { g in
        [na ? g.summed(toShape: sa) : nil, nb ? g.summed(toShape: sb).affine(scale: -1, shift: 0) : nil]
    }
}

/// `a * b` element-wise; `dL/da = sum_bcast(g b)`, `dL/db = sum_bcast(g a)`.
public func * (a: Variable, b: Variable) -> Variable {
    let av = a.value, bv = b.value
    let y = Tensor.multiply(av, bv)
    let na = a.requiresGrad, nb = b.requiresGrad
    return Variable(y, op: "mul", inputs: [a, b]) { g in
        [na ? Tensor.multiply(g, bv).summed(toShape: av.shape) : nil,
         nb ? Tensor.multiply(g, av).summed(toShape: bv.shape) : nil]
    }
}

/// `a / b` element-wise; `dL/da = sum_bcast(g / b)`, `dL/db = -sum_bcast(g y / b)` with `y = a / b`.
public func / (a: Variable, b: Variable) -> Variable {
    let av = a.value, bv = b.value
    let y = Tensor.divide(av, bv)
    let na = a.requiresGrad, nb = b.requiresGrad
    return Variable(y, op: "div", inputs: [a, b]) { g in
        var gb: Tensor? = nil
        if nb {
            let t = Tensor.divide(Tensor.multiply(g, y), bv).summed(toShape: bv.shape)
            t.scaleInPlace(-1)
            gb = t
        }
        return [na ? Tensor.divide(g, bv).summed(toShape: av.shape) : nil, gb]
    }
}
