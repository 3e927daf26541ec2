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
                let row = UnsafeMutableBufferPointer(start: pm + s * per, count: per)
                rng.fillUniform(row, purpose: .dropout, stream: stream, step: step,
                                sample: UInt32(truncatingIfNeeded: firstSample + s))
                for i in 0..<per { row[i] = row[i] < p ? 0 : keep }
            }
        }
        return m
    }
}
