import Tensor

// Arithmetic between a variable and a constant Float, and negation.

/// `x + c`; `dL/dx = g`.
public func + (x: Variable, c: Float) -> Variable {
    Variable(x.value.affine(scale: 1, shift: c), op: "add-scalar", inputs: [x]) { g in [g] }
}
/// `c + x`.
public func + (c: Float, x: Variable) -> Variable { x + c }

/// `x - c`.
public func - (x: Variable, c: Float) -> Variable { x + (-c) }

/// `c - x`; `dL/dx = -g`.
public func - (c: Float, x: Variable) -> Variable {
    Variable(x.value.affine(scale: -1, shift: c), op: "rsub-scalar", inputs: [x]) { g in [g.affine(scale: -1, shift: 0)] }
}

/// `x * c`; `dL/dx = c g`.
public func * (x: Variable, c: Float) -> Variable {
    Variable(x.value.affine(scale: c, shift: 0), op: "mul-scalar", inputs: [x]) { g in [g.affine(scale: c, shift: 0)] }
}
/// `c * x`.
public func * (c: Float, x: Variable) -> Variable { x * c }

/// `x / c` (as `x * (1/c)`).
public func / (x: Variable, c: Float) -> Variable {
    Variable(x.value.affine(scale: 1 / c, shift: 0), op: "div-scalar", inputs: [x]) { g in [g.affine(scale: 1 / c, shift: 0)] }
}

/// `c / x`; `dL/dx = -g c / x^2 = -g y / x`.
public func / (c: Float, x: Variable) -> Variable {
    let xv = x.value
    let y = xv.reciprocal(scaledBy: c)
    return Variable(y, op: "rdiv-scalar", inputs: [x]) { g in
        let t = Tensor.divide(Tensor.multiply(g, y), xv)
        t.scaleInPlace(-1)
        return [t]
    }
}

/// `-x`.
public prefix func - (x: Variable) -> Variable {
    Variable(x.value.affine(scale: -1, shift: 0), op: "neg", inputs: [x]) { g in [g.affine(scale: -1, shift: 0)] }
}
