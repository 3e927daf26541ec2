/// Sums over a set of axes, accumulated in Float64.
///
/// Adjacent axes that are both reduced (or both kept) are collapsed first, so the usual
/// cases are a handful of strided loops: `[K, R]` (row sums, e.g. `[B,C,H,W] -> [B,C,1,1]`),
/// `[R, K]` (column sums, e.g. a bias gradient `[N,C] -> [C]`) and `[R, K, R]`
/// (`[B,C,H,W] -> [1,C,1,1]`).
extension Tensor {
    /// Normalises possibly negative `axes` for a tensor of rank `rank`, or throws naming the shape.
    public static func normalizedAxes(_ axes: [Int], shape: [Int]) throws -> [Int] {
        var out: [Int] = []
        for a in axes {
            let n = a < 0 ? a + shape.count : a
            guard n >= 0 && n < shape.count else {
                throw ShapeError("axis \(a) out of range for shape \(shape)")
            }
            if !out.contains(n) { out.append(n) }
        }
        return out.sorted()
    }

    /// The shape after reducing `axes` (normalised) of `shape`.
    public static func reducedShape(_ shape: [Int], axes: [Int], keepDims: Bool) -> [Int] {
        var out: [Int] = []
        for (i, d) in shape.enumerated() {
            if axes.contains(i) { if keepDims { out.append(1) } } else { out.append(d) }
        }
        return out
    }

    /// The sum over `axes` (negative axes count from the end; repeated axes count once).
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let ax: [Int]
        do { ax = try Tensor.normalizedAxes(axes, shape: shape) } catch { preconditionFailure("sum(axes:): \(error)") }
        let outShape = Tensor.reducedShape(shape, axes: ax, keepDims: keepDims)
        let out = Tensor(uninitialized: outShape)
        // Collapse: dims of size 1 vanish, neighbours with the same status merge.
        var dims: [Int] = [], reduced: [Bool] = []
        for (i, d) in shape.enumerated() where d != 1 {
            let r = ax.contains(i)
            if let last = reduced.last, last == r { dims[dims.count - 1] *= d } else { dims.append(d); reduced.append(r) }
        }
        let src = pointer, dst = out.pointer
        if out.count == 0 { return out }
        if !reduced.contains(true) { dst.update(from: src, count: count); return out }
        if count == 0 { dst.update(repeating: 0, count: out.count); return out }
        if out.count == 1 {
            // Everything reduced: one contiguous sum, split into per-thread pieces.
            let pieces = Parallel.threads, n = count
            let partials = UnsafeMutablePointer<Double>.allocate(capacity: pieces)
            defer { partials.deallocate() }
            Parallel.forChunks(pieces, cost: n / pieces) { range in
                for k in range {
                    let lo = n * k / pieces, hi = n * (k + 1) / pieces
                    partials[k] = BlockSums.sum(src + lo, count: hi - lo)
                }
            }
            var total = 0.0
            for k in 0..<pieces { total += partials[k] }
            dst[0] = Float(total)
            return out
        }
        var strides = [Int](repeating: 1, count: dims.count)
        for d in stride(from: dims.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * dims[d + 1] }
        /// All offsets of the given collapsed dims, in row-major order.
        func offsets(_ which: [Int]) -> [Int] {
            var result = [0]
            for d in which {
                var next: [Int] = []
                next.reserveCapacity(result.count * dims[d])
                for base in result { for j in 0..<dims[d] { next.append(base + j * strides[d]) } }
                result = next
            }
            return result
        }
        let last = dims.count - 1
        if reduced[last] {
            // Each output sums a set of contiguous rows of length dims[last].
            let inner = dims[last]
            let keptOffsets = offsets((0..<last).filter { !reduced[$0] })
            let rowOffsets = offsets((0..<last).filter { reduced[$0] })
            Parallel.forChunks(keptOffsets.count, cost: rowOffsets.count * inner) { range in
                for o in range {
                    var acc = 0.0
                    for r in rowOffsets { acc += BlockSums.sum(src + keptOffsets[o] + r, count: inner) }
                    dst[o] = Float(acc)
                }
            }
        } else {
            // The innermost dims are kept: add whole contiguous vectors of length dims[last].
            let inner = dims[last]
            let keptOffsets = offsets((0..<last).filter { !reduced[$0] })
            let rowOffsets = offsets((0..<last).filter { reduced[$0] })
            Parallel.forChunks(inner, cost: keptOffsets.count * rowOffsets.count) { range in
                var acc = [Double](repeating: 0, count: range.count)
                acc.withUnsafeMutableBufferPointer { a in
                    for (q, kq) in keptOffsets.enumerated() {
                        for j in 0..<a.count { a[j] = 0 }
                        for r in rowOffsets {
                            let p = src + kq + r + range.lowerBound
                            for j in 0..<a.count { a[j] += Double(p[j]) }
                        }
                        let o = dst + q * inner + range.lowerBound
                        for j in 0..<a.count { o[j] = Float(a[j]) }
                    }
                }
            }
        }
        return out
    }
}
