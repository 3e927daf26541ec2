/// Axis permutation `y[i_0, ..., i_{n-1}] = x[j]` with `j_{perm[k]} = i_k`, as `numpy.transpose`.
///
/// Output axes that stay neighbours in the input (`perm[k+1] == perm[k] + 1`) are merged
/// first, so e.g. `[B,C,H,W] -> [B,H,W,C]` runs as `[B,C,HW] -> [B,HW,C]`.
extension Tensor {
    /// Checks that `perm` is a permutation of `0..<rank`, or throws naming it and the shape.
    public static func checkPermutation(_ perm: [Int], shape: [Int]) throws {
        guard perm.count == shape.count, perm.sorted() == Array(0..<shape.count) else {
            throw ShapeError("permutation \(perm) does not reorder the \(shape.count) axes of shape \(shape)")
        }
    }

    /// A new tensor with axes reordered: output axis `k` is input axis `perm[k]`.
    public func permuted(_ perm: [Int]) -> Tensor {
        do { try Tensor.checkPermutation(perm, shape: shape) } catch { preconditionFailure("permute: \(error)") }
        let outShape = perm.map { shape[$0] }
        let out = Tensor(uninitialized: outShape)
        if count == 0 { return out }
        var inStrides = [Int](repeating: 1, count: rank)
        for d in stride(from: rank - 2, through: 0, by: -1) { inStrides[d] = inStrides[d + 1] * shape[d + 1] }
        // Merge output axes that are adjacent in the input; drop axes of size 1.
        var dims: [Int] = [], strides: [Int] = [], lastAxis = -2
        for k in 0..<rank where outShape[k] != 1 {
            let a = perm[k]
            if a == lastAxis + 1, !dims.isEmpty {
                dims[dims.count - 1] *= outShape[k]
                strides[strides.count - 1] = inStrides[a]
            } else {
                dims.append(outShape[k])
                strides.append(inStrides[a])
            }
            lastAxis = a
        }
        if dims.isEmpty { dims = [1]; strides = [1] }
        let src = pointer, dst = out.pointer
        let last = dims.count - 1
        if let q = strides.firstIndex(of: 1), q != last {
            // The input's contiguous axis lands at output axis q: a 2-D transpose between output
            // axes q and `last` for every combination of the other axes, in cache-sized tiles.
            Tensor.transposeTiles(dims: dims, inStrides: strides, q: q, src: src, dst: dst)
            return out
        }
        let inner = dims[last], innerStride = strides[last]
        let rows = count / inner
        Parallel.forChunks(rows, cost: inner) { range in
            for row in range {
                var r = row, off = 0, d = dims.count - 2
                while d >= 0 { off += (r % dims[d]) * strides[d]; r /= dims[d]; d -= 1 }
                let x = src + off, y = dst + row * inner
                if innerStride == 1 { y.update(from: x, count: inner) } else {
                    for i in 0..<inner { y[i] = x[i * innerStride] }
                }
            }
        }
        return out
    }

    /// The permutation of a contiguous output of collapsed `dims` whose input strides are
    /// `inStrides`, where output axis `q` (not the last) has input stride 1: tiles of
    /// `tile x tile` elements of the (q, last) plane are read and written while in cache.
    static func transposeTiles(dims: [Int], inStrides: [Int], q: Int, src: UnsafeMutablePointer<Float>,
                               dst: UnsafeMutablePointer<Float>) {
        let tile = 32
        let last = dims.count - 1
        var outStrides = [Int](repeating: 1, count: dims.count)
        for d in stride(from: dims.count - 2, through: 0, by: -1) { outStrides[d] = outStrides[d + 1] * dims[d + 1] }
        let others = (0..<dims.count).filter { $0 != q && $0 != last }
        let outerCount = others.reduce(1) { $0 * dims[$1] }
        let nq = dims[q], nl = dims[last], sl = inStrides[last], oq = outStrides[q]
        let qTiles = (nq + tile - 1) / tile
        Parallel.forChunks(outerCount * qTiles, cost: tile * nl) { range in
            for job in range {
                var r = job / qTiles, inBase = 0, outBase = 0
                for d in others.reversed() {
                    let i = r % dims[d]
                    r /= dims[d]
                    inBase += i * inStrides[d]
                    outBase += i * outStrides[d]
                }
                let q0 = (job % qTiles) * tile, q1 = Swift.min(nq, q0 + tile)
                var l0 = 0
                while l0 < nl {
                    let l1 = Swift.min(nl, l0 + tile)
                    for il in l0..<l1 {
                        let y = dst + outBase + il, x = src + inBase + il * sl
                        for iq in q0..<q1 { y[iq * oq] = x[iq] }
                    }
                    l0 = l1
                }
            }
        }
    }

    /// The permutation that undoes `perm`.
    public static func inversePermutation(_ perm: [Int]) -> [Int] {
        var inv = [Int](repeating: 0, count: perm.count)
        for (k, a) in perm.enumerated() { inv[a] = k }
        return inv
    }
}
