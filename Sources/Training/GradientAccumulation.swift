import Autograd
import Data
import NN
import Tensor

/// Gradient accumulation (`train.micro_batch`, issue 18): one rank's share of the global batch
/// as several forward and backward passes, then one allreduce.
///
/// The share of B_r samples is cut into micro-batches m of at most M samples
/// (`ShardedBatch.microBatches`). Micro-batch m's loss is (1/B_r) sum_{i in m} l_i, so the
/// gradients its backward pass adds into the flat gradient buffer sum, over the micro-batches,
/// to grad (1/B_r) sum_i l_i: the gradient of the share's mean loss, as in one pass (and, after
/// the allreduce's average over the ranks, of the global-batch mean). Each sample keeps its
/// global number, so its noise, time, dropout mask, flip and label dropout are those of one pass.
///
/// Only the last micro-batch's backward pass carries the bucketer's hooks: a gradient is final
/// only then, so the buckets are launched during that pass and their allreduces overlap it
/// (Li et al. 2020, PyTorch DDP's `no_sync`); the earlier passes only accumulate.
extension Trainer {
    /// The micro-batch plan of this run, for the log: "global batch 64 on 2 ranks: 32 per rank
    /// as 4 micro-batches of 8".
    var microBatchPlan: String {
        let share = batches.share.count
        let sizes = ShardedBatch.microBatchSizes(share: share, maxSize: config.train.microBatch)
        let ranks = communicator.size
        let head = "global batch \(config.train.globalBatch) on \(ranks) rank\(ranks == 1 ? "" : "s"): \(share) per rank as "
        guard let first = sizes.first, let last = sizes.last else { return head + "no micro-batches" }
        if sizes.count == 1 {
            let beyond = (config.train.microBatch ?? share) > share ? " (train.micro_batch \(config.train.microBatch!) exceeds the share)" : ""
            return head + "1 micro-batch of \(share)" + beyond
        }
        return head + "\(sizes.count) micro-batches of \(first)" + (last == first ? "" : " (the last of \(last))")
    }

    /// Zeroes the gradients, then runs `batch` (this rank's share) as micro-batches, leaving in
    /// `parameters.grads` the gradient of the share's mean loss averaged over the ranks.
    /// Returns the per-sample losses and times of the share, in order.
    func accumulateGradients(_ batch: ShardedBatch) throws -> (losses: [Float], times: [Double]) {
        let globalBatch = config.train.globalBatch
        let micro = batch.microBatches(maxSize: config.train.microBatch)
        let scale = 1 / Float(batch.indices.count)
        let bucketer = self.bucketer, index = parameterIndex
        let overlapped = BackwardHooks(
            leafReady: { v in if let i = index[ObjectIdentifier(v)] { bucketer.markReady(i) } },
            afterNode: { bucketer.progress() })
        var losses: [Float] = [], times: [Double] = []
        losses.reserveCapacity(batch.indices.count)
        times.reserveCapacity(batch.indices.count)
        parameters.zeroGrad()
        for (m, part) in micro.enumerated() {
            let x = try components.dataset.samples(for: part)
            var context = ForwardContext(training: true, rng: rng, step: UInt32(truncatingIfNeeded: step), firstSample: part.firstSample)
            if let classLabels = components.classLabels, let dataLabels = try components.dataset.labels(part.indices) {
                context.labels = classLabels.training(dataLabels, step: context.step, firstSample: part.firstSample)
            }
            let (perSample, t) = components.objective.losses(model: components.model, x: x, context: context, globalBatch: globalBatch)
            losses += perSample.value.scalars
            times += t
            (sum(perSample) * scale).backward(hooks: m == micro.count - 1 ? overlapped : BackwardHooks())
        }
        try bucketer.finish()
        return (losses, times)
    }
}
