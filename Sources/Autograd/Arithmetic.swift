import Tensor

/// `a + b` for same-shape variables.
public func + (a: Variable, b: Variable) -> Variable {
    Tensor.checkSameShape(a.value, b.value, "add")
    let y = a.value.zipMap(b.value, +)
    return Variable(y, op: "add", inputs: [a, b]) { g in [g, g] }
}

/// `a - b` for same-shape variables.
public func - (a: Variable, b: Variable) -> Variable {
    Tensor.checkSameShape(a.value, b.value, "sub")
    let y = a.value.zipMap(b.value, -)
    return Variable(y, op: "sub", inputs: [a, b]) { g in [g, g.map { -$0 }] }
}

/// `a * b` element-wise for same-shape variables.
public func * (a: Variable, b: Variable) -> Variable {
    Tensor.checkSameShape(a.value, b.value, "mul")
    let av = a.value, bv = b.value
    let y = av.zipMap(bv, *)
    return Variable(y, op: "mul", inputs: [a, b]) { g in [g.zipMap(bv, *), g.zipMap(av, *)] }
}
