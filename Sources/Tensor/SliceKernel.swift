/// A contiguous range along one axis: `y = x[..., range, ...]` (a copy), and its adjoint,
/// writing a block back into a zero tensor of the full shape.
///
/// With `outer = prod(shape[..<axis])` and `inner = prod(shape[axis+1...])`, the slice is
/// `outer` contiguous blocks of `range.count * inner` elements.
extension Tensor {
    /// Checks `axis` and `range` against `shape`, or throws naming them.
    public static func checkSlice(shape: [Int], axis: Int, range: Range<Int>) throws {
        guard axis >= 0 && axis < shape.count else { throw ShapeError("slice axis \(axis) out of range for shape \(shape)") }
        guard range.lowerBound >= 0 && range.upperBound <= shape[axis] else {
            throw ShapeError("slice \(range) out of bounds for axis \(axis) of shape \(shape)")
        }
    }

    /// The elements at `range` along `axis`, as a new tensor.
    public func sliced(axis: Int, range: Range<Int>) -> Tensor {
        do { try Tensor.checkSlice(shape: shape, axis: axis, range: range) } catch { preconditionFailure("slice: \(error)") }
        var outShape = shape
        outShape[axis] = range.count
        let out = Tensor(uninitialized: outShape)
        let inner = shape[(axis + 1)...].reduce(1, *), outer = shape[..<axis].reduce(1, *)
        Tensor.copyBlocks(from: pointer, fromRow: shape[axis] * inner, fromOffset: range.lowerBound * inner,
                          to: out.pointer, toRow: range.count * inner, toOffset: 0, length: range.count * inner, rows: outer)
        return out
    }

    /// A zero tensor of `shape` with this tensor written at `range` along `axis` (the adjoint of
    /// `sliced`).
    public func padded(to shape: [Int], axis: Int, range: Range<Int>) -> Tensor {
        do { try Tensor.checkSlice(shape: shape, axis: axis, range: range) } catch { preconditionFailure("slice backward: \(error)") }
        var expected = shape
        expected[axis] = range.count
        precondition(self.shape == expected, "slice backward: gradient of shape \(self.shape), expected \(expected)")
        let out = Tensor(zeros: shape)
        let inner = shape[(axis + 1)...].reduce(1, *), outer = shape[..<axis].reduce(1, *)
        Tensor.copyBlocks(from: pointer, fromRow: range.count * inner, fromOffset: 0,
                          to: out.pointer, toRow: shape[axis] * inner, toOffset: range.lowerBound * inner,
                          length: range.count * inner, rows: outer)
        return out
    }

    /// Copies `rows` blocks of `length` elements: block `r` from `src + r*fromRow + fromOffset`
    /// to `dst + r*toRow + toOffset`.
    static func copyBlocks(from src: UnsafeMutablePointer<Float>, fromRow: Int, fromOffset: Int,
                           to dst: UnsafeMutablePointer<Float>, toRow: Int, toOffset: Int, length: Int, rows: Int) {
        if length == 0 { return }
        Parallel.forChunks(rows, cost: length) { range in
            for r in range { (dst + r * toRow + toOffset).update(from: src + r * fromRow + fromOffset, count: length) }
        }
    }
}
