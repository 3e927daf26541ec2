/// Concatenation along one axis (`torch.cat`): every other dimension must agree.
/// Each input contributes, per outer index, one contiguous block of `shape[axis] * inner`
/// elements; the backward pass is `sliced(axis:range:)` per input.
extension Tensor {
    /// The shape of the concatenation, or a `ShapeError` naming the offending shapes.
    public static func concatShape(_ shapes: [[Int]], axis: Int) throws -> [Int] {
        guard let first = shapes.first else { throw ShapeError("concat of no tensors") }
        guard axis >= 0 && axis < first.count else { throw ShapeError("concat axis \(axis) out of range for shape \(first)") }
        var out = first
        for s in shapes.dropFirst() {
            guard s.count == first.count,
                  s.indices.allSatisfy({ $0 == axis || s[$0] == first[$0] }) else {
                throw ShapeError("cannot concatenate shapes \(first) and \(s) along axis \(axis)")
            }
            out[axis] += s[axis]
        }
        return out
    }

    /// `xs` joined along `axis` into a new tensor.
    public static func concatenate(_ xs: [Tensor], axis: Int) -> Tensor {
        let outShape: [Int]
        do { outShape = try concatShape(xs.map(\.shape), axis: axis) } catch { preconditionFailure("concat: \(error)") }
        let out = Tensor(uninitialized: outShape)
        let inner = outShape[(axis + 1)...].reduce(1, *), outer = outShape[..<axis].reduce(1, *)
        var start = 0
        for x in xs {
            let length = x.shape[axis] * inner
            copyBlocks(from: x.pointer, fromRow: length, fromOffset: 0,
                       to: out.pointer, toRow: outShape[axis] * inner, toOffset: start * inner, length: length, rows: outer)
            start += x.shape[axis]
        }
        return out
    }
}
