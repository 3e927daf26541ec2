/// bfloat16 ("brain floating point", Google Brain; Kalamkar et al. 2019, "A Study of BFLOAT16
/// for Deep Learning Training"): the upper 16 bits of an IEEE-754 binary32, i.e. 1 sign bit,
/// the same 8 exponent bits (the same range as Float32) and 7 mantissa bits (relative spacing
/// 2^-7, so a rounded value is within 2^-8 = 0.39% of the original).
///
/// Conversion from Float32 rounds to nearest, ties to even, on the 16 dropped bits:
///
///     bits16 = (bits32 + 0x7FFF + ((bits32 >> 16) & 1)) >> 16
///
/// which is what oneDNN, PyTorch (`c10::BFloat16`) and the AVX512_BF16 `vcvtneps2bf16`
/// instruction compute. Infinities stay infinities (their dropped bits are 0); a NaN stays a NaN
/// (quietened, sign kept) instead of carrying into the exponent; finite values at least half a
/// bf16 unit above the largest bf16 round to infinity, as in IEEE rounding.
public enum BFloat16 {
    /// The bf16 bit pattern nearest to `x` (ties to even).
    @inline(__always)
    public static func bits(_ x: Float) -> UInt16 {
        let b = x.bitPattern
        if x.isNaN { return UInt16(truncatingIfNeeded: b >> 16) | 0x0040 }
        return UInt16(truncatingIfNeeded: (b &+ 0x7FFF &+ ((b >> 16) & 1)) >> 16)
    }

    /// The Float32 value of a bf16 bit pattern (exact).
    @inline(__always)
    public static func float(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// `x` rounded to the nearest bf16 value, as a Float32.
    @inline(__always)
    public static func rounded(_ x: Float) -> Float { float(bits(x)) }

    /// `dst[i] = rounded(src[i])` for `count` elements (`dst` may be `src`), over the workers.
    public static func round(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forChunks(count, cost: 2) { r in
            for i in r { dst[i] = rounded(src[i]) }
        }
    }

    /// `dst[i] = bits(src[i])` for `count` elements, over the workers.
    public static func convert(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<UInt16>, count: Int) {
        Parallel.forChunks(count, cost: 2) { r in
            for i in r { dst[i] = bits(src[i]) }
        }
    }
}

extension Tensor {
    /// A new tensor of the same shape with every element rounded to bf16 (`BFloat16.rounded`).
    public func roundedToBF16() -> Tensor {
        let out = Tensor(uninitialized: shape)
        BFloat16.round(pointer, into: out.pointer, count: count)
        return out
    }
}
