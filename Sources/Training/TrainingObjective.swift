import Autograd
import NN
import Tensor

/// The loss a `Trainer` minimises, per sample, on one rank's share of a global batch.
///
/// Every random draw (noise level t, noise z, dropout) must come from `context.rng` keyed by
/// `(context.step, global sample index)`, the sample index of row i being
/// `context.firstSample + i`, so a sample's loss is the same on any number of ranks and in a
/// resumed run.
public protocol TrainingObjective {
    /// Per-sample losses ([B]) of the batch `x` ([B, ...]) and each sample's t in [0, 1]
    /// (for the loss-by-quartile metrics). `globalBatch` is the size of the whole global batch
    /// (for noise levels stratified over it).
    func losses(model: any Backbone, x: Tensor, context: ForwardContext, globalBatch: Int) -> (losses: Variable, times: [Double])
}
