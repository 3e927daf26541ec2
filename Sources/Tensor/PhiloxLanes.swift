/// Philox-4x32-10 (see `Philox4x32.block`) on eight consecutive counters at once, in SIMD
/// lanes: the same bits as eight scalar calls, several times faster, for bulk draws
/// such as dropout masks.
extension Philox4x32 {
    /// Blocks for counters `(c0 + l, c1, c2, c3)`, `l = 0..<8`, as four vectors: word `j` of
    /// block `l` is `result.j[l]`.
    @inlinable
    public static func blocks8(_ counter: SIMD4<UInt32>, key: SIMD2<UInt32>)
        -> (SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>) {
        var c0 = SIMD8<UInt32>(repeating: counter[0]) &+ SIMD8(0, 1, 2, 3, 4, 5, 6, 7)
        var c1 = SIMD8<UInt32>(repeating: counter[1])
        var c2 = SIMD8<UInt32>(repeating: counter[2])
        var c3 = SIMD8<UInt32>(repeating: counter[3])
        var k0 = key[0], k1 = key[1]
        let m0 = SIMD8<UInt64>(repeating: 0xD251_1F53), m1 = SIMD8<UInt64>(repeating: 0xCD9E_8D57)
        for round in 0..<10 {
            if round > 0 { k0 &+= 0x9E37_79B9; k1 &+= 0xBB67_AE85 }
            let p0 = m0 &* SIMD8<UInt64>(truncatingIfNeeded: c0)
            let p1 = m1 &* SIMD8<UInt64>(truncatingIfNeeded: c2)
            let hi0 = SIMD8<UInt32>(truncatingIfNeeded: p0 &>> 32), lo0 = SIMD8<UInt32>(truncatingIfNeeded: p0)
            let hi1 = SIMD8<UInt32>(truncatingIfNeeded: p1 &>> 32), lo1 = SIMD8<UInt32>(truncatingIfNeeded: p1)
            c0 = hi1 ^ c1 ^ SIMD8(repeating: k0)
            c1 = lo1
            c2 = hi0 ^ c3 ^ SIMD8(repeating: k1)
            c3 = lo0
        }
        return (c0, c1, c2, c3)
    }
}
