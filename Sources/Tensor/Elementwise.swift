/// Element-wise kernels on same-shape tensors (broadcasting variants live beside the ops
/// that need them). Large loops are split over cores with `Parallel.forChunks`.
extension Tensor {
    /// `self += other`, in place.
    public func addInPlace(_ other: Tensor) {
        Tensor.checkSameShape(self, other, "addInPlace")
        let d = pointer, s = other.pointer
        Parallel.forChunks(count) { r in for i in r { d[i] += s[i] } }
    }

    /// `self += alpha * other`, in place.
    public func addInPlace(_ other: Tensor, scaledBy alpha: Float) {
        Tensor.checkSameShape(self, other, "addInPlace(scaledBy:)")
        let d = pointer, s = other.pointer
        Parallel.forChunks(count) { r in for i in r { d[i] += alpha * s[i] } }
    }

    /// `self *= alpha`, in place.
    public func scaleInPlace(_ alpha: Float) {
        let d = pointer
        Parallel.forChunks(count) { r in for i in r { d[i] *= alpha } }
    }

    /// A new tensor `f(self[i])`.
    @inline(__always)
    public func map(_ f: (Float) -> Float) -> Tensor {
        let out = Tensor(uninitialized: shape)
        let s = pointer, d = out.pointer
        for i in 0..<count { d[i] = f(s[i]) }
        return out
    }

    /// A new tensor `f(self[i], other[i])` (same shapes).
    @inline(__always)
    public func zipMap(_ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        Tensor.checkSameShape(self, other, "zipMap")
        let out = Tensor(uninitialized: shape)
        let a = pointer, b = other.pointer, d = out.pointer
        for i in 0..<count { d[i] = f(a[i], b[i]) }
        return out
    }

    /// Sum of all elements, accumulated in Float64.
    public func sum() -> Double {
        var acc = 0.0
        let p = pointer
        for i in 0..<count { acc += Double(p[i]) }
        return acc
    }

    /// Largest absolute difference to another tensor of the same shape.
    public func maxAbsDifference(_ other: Tensor) -> Float {
        Tensor.checkSameShape(self, other, "maxAbsDifference")
        var m: Float = 0
        for i in 0..<count { m = Swift.max(m, Swift.abs(pointer[i] - other.pointer[i])) }
        return m
    }

    /// Whether every element is finite.
    public var isFinite: Bool {
        let p = pointer
        for i in 0..<count where !p[i].isFinite { return false }
        return true
    }
}
