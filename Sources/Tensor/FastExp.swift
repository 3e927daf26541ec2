/// `e^x` for Float32 in a form the compiler can vectorise (no libm call, no branches):
/// Cody-Waite range reduction `x = n ln2 + r`, `|r| <= ln2 / 2`, the Cephes `expf`
/// minimax polynomial for `e^r` (relative error about 1e-7), and `2^n` built in the
/// exponent bits. Inputs are clamped to [-87.3, 88.3], so the result is always finite
/// and positive (it saturates near `Float.greatestFiniteMagnitude` and `1e-38`).
@inlinable @inline(__always)
public func fastExp(_ x: Float) -> Float {
    var v = x > 88.3 ? 88.3 : x
    v = v < -87.3 ? -87.3 : v
    // n = round(v / ln2) with the 1.5 * 2^23 trick: t's low mantissa bits hold n.
    let t = v * 1.442_695_04 + 12_582_912
    let n = t - 12_582_912
    let r = (v - n * 0.693_359_375) + n * 2.121_944_4e-4
    var p: Float = 1.987_569_15e-4
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    let er = p * r * r + r + 1
    // 2^n = bits (n + 127) << 23, taken from t's bits (0x4B40_0000 + n) without a
    // float-to-int conversion, which would stop the loop vectoriser.
    let scale = Float(bitPattern: (t.bitPattern &+ (127 &- 0x4B40_0000)) << 23)
    return er * scale
}
