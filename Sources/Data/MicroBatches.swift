/// Gradient accumulation's split of one rank's share of a global batch (issue 18).
///
/// A share of B_r samples with a micro-batch size M is cut, in order, into ceil(B_r / M)
/// contiguous micro-batches of M samples, the last holding B_r - (ceil(B_r / M) - 1) M.
/// Each micro-batch keeps its samples' global numbers (its `firstSample` is that of its first
/// sample), so the noise, times, dropout masks and flips drawn for a sample do not depend on M.
extension ShardedBatch {
    /// Sizes of the micro-batches of a share of `share` samples cut at most `maxSize` each
    /// (nil: the whole share in one).
    public static func microBatchSizes(share: Int, maxSize: Int?) -> [Int] {
        precondition(share >= 0, "microBatchSizes: share \(share) is negative")
        guard let m = maxSize, m < share else { return share > 0 ? [share] : [] }
        precondition(m > 0, "microBatchSizes: micro-batch size \(m) must be positive")
        return stride(from: 0, to: share, by: m).map { min(m, share - $0) }
    }

    /// This share cut into micro-batches of at most `maxSize` samples (nil: itself alone).
    public func microBatches(maxSize: Int?) -> [ShardedBatch] {
        var start = 0
        return Self.microBatchSizes(share: indices.count, maxSize: maxSize).map { n in
            defer { start += n }
            return ShardedBatch(epoch: epoch, batch: batch, step: step, indices: Array(indices[start..<(start + n)]),
                                firstSample: firstSample + start, flips: Array(flips[start..<(start + n)]))
        }
    }
}
