import Autograd
import Diffusion
import NN
import Tensor

/// The denoising objective of a `BackboneDenoiser`, per sample:
///
///     loss_b = lambda_b c_out,b^2 mean_i (F(c_in x_t, c_time)_bi - T_bi)^2,
///     x_t = alpha_b x + sigma_b z,   T = ((1 - c_skip alpha) x - c_skip sigma z) / c_out,
///
/// which is `BackboneDenoiser.loss` (lambda_t ||E[x | x_t] - x||^2 written in the backbone's
/// target space) before its mean over the batch: the trainer needs each sample's value to
/// report the loss by quartile of t. Times come from `sampling`, z from the counter-based RNG,
/// both keyed by (step, global sample index).
struct DiffusionObjective: TrainingObjective {
    let denoiser: any BackboneDenoiser
    let sampling: NoiseLevelSampling

    func losses(model: any Backbone, x: Tensor, context: ForwardContext, globalBatch: Int) -> (losses: Variable, times: [Double]) {
        let b = x.shape[0], per = x.count / b
        let times = sampling.draw(count: b, schedule: denoiser.schedule, rng: context.rng, step: context.step,
                                  firstSample: context.firstSample, globalBatchSize: globalBatch)
        let z = context.rng.normal(x.shape, purpose: .noise, step: context.step, firstSample: context.firstSample)
        let (alpha, sigma) = denoiser.schedule(times)
        let xt = Tensor(uninitialized: x.shape), target = Tensor(uninitialized: x.shape)
        var weights: [Float] = []
        let xp = x.pointer, zp = z.pointer, xtp = xt.pointer, tp = target.pointer
        for n in 0..<b {
            let c = denoiser.preconditioning(alpha: alpha[n], sigma: sigma[n])
            let ax = (1 - c.cSkip * alpha[n]) / c.cOut, az = -c.cSkip * sigma[n] / c.cOut
            for i in n * per..<(n + 1) * per {
                let xi = Double(xp[i]), zi = Double(zp[i])
                xtp[i] = Float(alpha[n] * xi + sigma[n] * zi)
                tp[i] = Float(ax * xi + az * zi)
            }
            weights.append(Float(denoiser.lossWeight(alpha: alpha[n], sigma: sigma[n]) * c.cOut * c.cOut))
        }
        let f = denoiser.backboneOutput(xt, alpha: alpha, sigma: sigma, context: context)
        let axes = Array(1..<x.rank)
        let squared = mean(square(f - Variable(target)), axes: axes)
        return (squared * Variable(Tensor(shape: [b], values: weights)), times)
    }
}
