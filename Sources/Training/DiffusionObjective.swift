import Autograd
import Diffusion
import NN
import Tensor

/// The denoising objective of a `BackboneDenoiser` (`BackboneDenoiser.losses`: per sample
/// lambda_t ||E[x | x_t] - x||^2 with x_t = alpha_t x + sigma_t z), with times drawn by
/// `sampling` and noise z from the counter-based RNG, both keyed by (step, global sample index),
/// so a sample's loss does not depend on the rank that computes it.
struct DiffusionObjective: TrainingObjective {
    let denoiser: any BackboneDenoiser
    let sampling: NoiseLevelSampling

    func losses(model: any Backbone, x: Tensor, context: ForwardContext, globalBatch: Int) -> (losses: Variable, times: [Double]) {
        denoiser.losses(x, sampling: sampling, rng: context.rng, step: context.step, firstSample: context.firstSample,
                        globalBatchSize: globalBatch, context: context)
    }
}
