import Autograd
import Diffusion
import NN
import Sampling
import Tensor

/// `diffusion.objective: vdm`: the continuous-time negative ELBO of VDM (Kingma et al. 2021) per
/// sample, in bits per dimension (nats / (D ln 2), as the VDM code reports its loss):
///     L = 1/2 gamma'(t) ||eps - eps_hat(z_t)||^2 + KL(q(z_1 | x) || N(0, I)) - log p(x | z_0),
/// t stratified over the global batch, eps (stream 0) and the decoder's eps_0 (stream 1) keyed
/// by (step, global sample index). The diffusion term carries gradients to the backbone and,
/// through gamma and gamma', to the learned schedule; the prior and reconstruction terms are
/// constants here (`VDM` evaluates them at the fixed endpoints gamma_min, gamma_max).
/// The model must be the `ScheduledBackbone` built by `TrainingSetup`.
struct VDMObjective: TrainingObjective {
    func losses(model: any Backbone, x: Tensor, context: ForwardContext, globalBatch: Int) -> (losses: Variable, times: [Double]) {
        guard let scheduled = model as? ScheduledBackbone else {
            preconditionFailure("VDMObjective: the model must be a ScheduledBackbone, got \(type(of: model))")
        }
        let vdm = scheduled.vdm
        let b = x.shape[0], dimensions = x.count / b
        let t = NoiseLevelSampling.stratified.draw(count: b, schedule: vdm.schedule, rng: context.rng, step: context.step,
                                                   firstSample: context.firstSample, globalBatchSize: globalBatch)
        let eps = context.rng.normal(x.shape, purpose: .noise, stream: 0, step: context.step, firstSample: context.firstSample)
        let eps0 = context.rng.normal(x.shape, purpose: .noise, stream: 1, step: context.step, firstSample: context.firstSample)
        let diffusion = vdm.diffusionLoss(x, times: t, noise: eps, context: context)
        let prior = vdm.priorLoss(x), reconstruction = vdm.reconstructionLoss(x, noise: eps0)
        let constants = Variable(Tensor(shape: [b], values: (0..<b).map { Float(prior[$0] + reconstruction[$0]) }))
        let nats = diffusion + constants
        return (nats * Float(VDM.bitsPerDimension(nats: 1, dimensions: dimensions)), t)
    }
}
