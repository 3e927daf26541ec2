import Foundation

/// What a random draw is for; part of the counter so that streams never overlap.
public enum RandomPurpose: UInt32, Sendable {
    case initialisation = 1
    case noise = 2
    case time = 3
    case dropout = 4
    case flip = 5
    case permutation = 6
    case sampling = 7
    case misc = 8
}

/// Counter-based random numbers: every draw is a pure function of
/// `(seed, purpose, step, sample, element)` through Philox-4x32-10.
///
/// The counter is `(element / 4, sample, step, purpose | stream << 8)` and the key is the
/// 64-bit seed; `stream` separates draws of one purpose (e.g. the n-th dropout layer),
/// so sample k of step n draws the same noise whether its batch runs on one rank or
/// eight, and a resumed run draws exactly what the uninterrupted one would have.
public struct CounterRNG: Sendable, Hashable {
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    @inline(__always)
    var key: SIMD2<UInt32> { SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)) }

    /// The four raw 32-bit words of block `block` of a stream.
    @inline(__always)
    public func bits(purpose: RandomPurpose, stream: UInt32 = 0, step: UInt32, sample: UInt32, block: UInt32) -> SIMD4<UInt32> {
        Philox4x32.block(SIMD4(block, sample, step, purpose.rawValue | stream << 8), key: key)
    }

    /// Maps 32 random bits to a uniform Float in the open interval (0, 1).
    @inline(__always)
    public static func unitFloat(_ x: UInt32) -> Float {
        Float(x >> 9) * 0x1p-23 + 0x1p-24
    }

    /// Fills `out` with uniform (0, 1) draws for one sample's stream.
    public func fillUniform(_ out: UnsafeMutableBufferPointer<Float>, purpose: RandomPurpose, stream: UInt32 = 0, step: UInt32, sample: UInt32) {
        var i = 0
        var blockIndex: UInt32 = 0
        while i < out.count {
            let r = bits(purpose: purpose, stream: stream, step: step, sample: sample, block: blockIndex)
            for j in 0..<4 where i + j < out.count { out[i + j] = CounterRNG.unitFloat(r[j]) }
            i += 4
            blockIndex &+= 1
        }
    }

    /// Fills `out` with standard normal draws (Box-Muller on pairs of uniforms).
    public func fillNormal(_ out: UnsafeMutableBufferPointer<Float>, purpose: RandomPurpose, stream: UInt32 = 0, step: UInt32, sample: UInt32) {
        var i = 0
        var blockIndex: UInt32 = 0
        while i < out.count {
            let r = bits(purpose: purpose, stream: stream, step: step, sample: sample, block: blockIndex)
            for pair in 0..<2 {
                let u1 = Double(CounterRNG.unitFloat(r[2 * pair]))
                let u2 = Double(CounterRNG.unitFloat(r[2 * pair + 1]))
                let radius = (-2 * Foundation.log(u1)).squareRoot()
                let theta = 2 * Double.pi * u2
                if i + 2 * pair < out.count { out[i + 2 * pair] = Float(radius * Foundation.cos(theta)) }
                if i + 2 * pair + 1 < out.count { out[i + 2 * pair + 1] = Float(radius * Foundation.sin(theta)) }
            }
            i += 4
            blockIndex &+= 1
        }
    }

    /// One uniform (0, 1) draw as a Double (53-bit resolution), e.g. for a per-sample time.
    public func uniformDouble(purpose: RandomPurpose, stream: UInt32 = 0, step: UInt32, sample: UInt32, index: UInt32 = 0) -> Double {
        let r = bits(purpose: purpose, stream: stream, step: step, sample: sample, block: index)
        let hi = UInt64(r[0] >> 5), lo = UInt64(r[1] >> 6)   // 27 + 26 bits
        return (Double(hi << 26 | lo) + 0.5) * 0x1p-53
    }

    /// A tensor of standard normals whose first axis is samples `firstSample, firstSample+1, ...`;
    /// each sample's elements come from that sample's own stream.
    public func normal(_ shape: [Int], purpose: RandomPurpose, stream: UInt32 = 0, step: UInt32, firstSample: Int) -> Tensor {
        perSample(shape, firstSample: firstSample) { out, sample in
            fillNormal(out, purpose: purpose, stream: stream, step: step, sample: sample)
        }
    }

    /// A tensor of uniform (0, 1) draws, per sample as in `normal`.
    public func uniform(_ shape: [Int], purpose: RandomPurpose, stream: UInt32 = 0, step: UInt32, firstSample: Int) -> Tensor {
        perSample(shape, firstSample: firstSample) { out, sample in
            fillUniform(out, purpose: purpose, stream: stream, step: step, sample: sample)
        }
    }

    /// Fills each row of a new tensor (axis 0 = samples) from that sample's stream.
    private func perSample(_ shape: [Int], firstSample: Int,
                           _ fill: (UnsafeMutableBufferPointer<Float>, UInt32) -> Void) -> Tensor {
        let t = Tensor(uninitialized: shape)
        let n = shape.first ?? 1
        let per = n == 0 ? 0 : t.count / n
        for s in 0..<n {
            fill(UnsafeMutableBufferPointer(start: t.pointer + s * per, count: per),
                 UInt32(truncatingIfNeeded: firstSample + s))
        }
        return t
    }
}
