import CKernels

/// Vectorised sums accumulated in blocks: 8 Float32 lanes over at most 512 elements, each
/// block's total then added in Float64. Each Float32 partial sums at most 64 terms, so the
/// result is close to a Float64 sum at the speed of a Float32 SIMD loop (the loop-carried
/// Float64 dependency of a plain loop would stop vectorisation). With a `simd` level other than
/// `portable` (by default `CPUFeatures.simd`) `sum` and `shiftedMoments` run the same blocked
/// sums in `CKernels` (8 or 16 lanes).
public enum BlockSums {
    public static let block = 512

    @inlinable @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// `sum_i x[i]`.
    @inlinable
    public static func sum(_ x: UnsafePointer<Float>, count n: Int, simd: SIMDLevel = CPUFeatures.simd) -> Double {
        if let kernels = simd.kernels { return kernels.sum(x, n) }
        var total = 0.0, i = 0
        while i < n {
            let end = Swift.min(n, i + block)
            var v = SIMD8<Float>()
            while i + 8 <= end { v += load(x + i); i += 8 }
            var t = v.sum()
            while i < end { t += x[i]; i += 1 }
            total += Double(t)
        }
        return total
    }

    /// `(sum_i (x[i] - shift), sum_i (x[i] - shift)^2)`: with `shift` near the mean (e.g. the
    /// first element) the variance `s2/n - (s1/n)^2` suffers no cancellation.
    @inlinable
    public static func shiftedMoments(_ x: UnsafePointer<Float>, count n: Int, shift: Float,
                                      simd: SIMDLevel = CPUFeatures.simd) -> (Double, Double) {
        var s1 = 0.0, s2 = 0.0, i = 0
        if let kernels = simd.kernels {
            kernels.shifted_moments(x, n, shift, &s1, &s2)
            return (s1, s2)
        }
        let sh = SIMD8<Float>(repeating: shift)
        while i < n {
            let end = Swift.min(n, i + block)
            var v1 = SIMD8<Float>(), v2 = SIMD8<Float>()
            while i + 8 <= end { let v = load(x + i) - sh; v1 += v; v2 += v * v; i += 8 }
            var t1 = v1.sum(), t2 = v2.sum()
            while i < end { let v = x[i] - shift; t1 += v; t2 += v * v; i += 1 }
            s1 += Double(t1)
            s2 += Double(t2)
        }
        return (s1, s2)
    }

    /// `(sum_i a[i], sum_i a[i] * (b[i] - shift))`.
    @inlinable
    public static func sumAndCenteredDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int,
                                         shift: Float) -> (Double, Double) {
        var s1 = 0.0, s2 = 0.0, i = 0
        let sh = SIMD8<Float>(repeating: shift)
        while i < n {
            let end = Swift.min(n, i + block)
            var v1 = SIMD8<Float>(), v2 = SIMD8<Float>()
            while i + 8 <= end { let va = load(a + i); v1 += va; v2 += va * (load(b + i) - sh); i += 8 }
            var t1 = v1.sum(), t2 = v2.sum()
            while i < end { t1 += a[i]; t2 += a[i] * (b[i] - shift); i += 1 }
            s1 += Double(t1)
            s2 += Double(t2)
        }
        return (s1, s2)
    }

    /// `sum_i a[i] * b[i]`.
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int) -> Double {
        sumAndCenteredDot(a, b, count: n, shift: 0).1
    }
}
