/// Inverted dropout (Srivastava et al. 2014, with the 1/(1-p) scaling at training time):
/// `y = x * m`, `m_i = 1/(1-p)` with probability `1-p`, else 0. The mask of sample `k`
/// (axis 0) is drawn from the counter-based stream `(seed, .dropout, stream, step, k)`,
/// so it does not depend on how a global batch is split across ranks.
public enum DropoutKernel {
    /// The mask for a tensor of `shape` whose axis 0 holds samples `firstSample...`:
    /// element `i` of sample `k` is dropped when its uniform draw `u < p`.
    public static func mask(shape: [Int], p: Float, rng: CounterRNG, stream: UInt32, step: UInt32, firstSample: Int) -> Tensor {
        precondition(p >= 0 && p < 1, "dropout: probability \(p) is not in [0, 1)")
        let m = Tensor(uninitialized: shape)
        let samples = shape.first ?? 1
        let per = samples == 0 ? 0 : m.count / samples
        let keep = 1 / (1 - p), pm = m.pointer
        Parallel.forChunks(samples, cost: per * 8) { range in
            for s in range {
                // The draws of `CounterRNG.fillUniform` (block j gives elements 4j..<4j+4),
                // eight blocks at a time, compared with p as they are made.
                let row = pm + s * per
                let sample = UInt32(truncatingIfNeeded: firstSample + s)
                let counter3 = RandomPurpose.dropout.rawValue | stream << 8
                var i = 0, block: UInt32 = 0
                while i < per {
                    let (w0, w1, w2, w3) = Philox4x32.blocks8(SIMD4(block, sample, step, counter3), key: rng.key)
                    for l in 0..<8 where i + 4 * l < per {
                        let e = row + i + 4 * l, left = per - i - 4 * l
                        let words = SIMD4(w0[l], w1[l], w2[l], w3[l])
                        for j in 0..<Swift.min(4, left) { e[j] = CounterRNG.unitFloat(words[j]) < p ? 0 : keep }
                    }
                    i += 32
                    block &+= 8
                }
            }
        }
        return m
    }
}
