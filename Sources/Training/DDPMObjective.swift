import Autograd
import Diffusion
import NN
import Tensor

/// `diffusion.objective: ddpm`: the discrete-time L_simple of Ho et al. (2020),
/// mean_i (eps - eps_theta(x_i, c_i))^2 per sample with i ~ U{1..T} (`DiscreteDDPM.simpleLosses`);
/// the reported time of a sample is t = (i - 1) / (T - 1), the continuous `DDPMSchedule` time
/// of step i, so the loss-by-quartile metrics read as for the other objectives.
struct DDPMObjective: TrainingObjective {
    let ddpm: DiscreteDDPM

    func losses(model: any Backbone, x: Tensor, context: ForwardContext, globalBatch: Int) -> (losses: Variable, times: [Double]) {
        let (losses, steps) = ddpm.simpleLosses(x, backbone: model, rng: context.rng, step: context.step,
                                                firstSample: context.firstSample, context: context)
        let last = Double(max(1, ddpm.steps - 1))
        return (losses, steps.map { Double($0 - 1) / last })
    }
}
