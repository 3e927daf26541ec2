import Foundation
import Autograd
import NN
import Tensor

extension DiscreteDDPM {
    /// L_simple of Ho et al. (2020) per sample: mean_i (eps - eps_theta(x_i, c_i))^2 with
    /// x_i = sqrt(alphaBar_i) x_0 + sqrt(1 - alphaBar_i) eps, i ~ U{1..T} and eps ~ N(0, I) keyed by
    /// (seed, step, global sample index); the backbone sees x_i and c_i = `conditioning(i)`.
    /// Returns the losses [B] and the steps drawn.
    public func simpleLosses(_ x0: Tensor, backbone: any Backbone, rng: CounterRNG, step: UInt32, firstSample: Int,
                             context: ForwardContext) -> (losses: Variable, steps: [Int]) {
        let b = x0.shape[0]
        let index = drawSteps(count: b, rng: rng, step: step, firstSample: firstSample)
        let eps = rng.normal(x0.shape, purpose: .noise, step: step, firstSample: firstSample)
        let xi = diffuse(x0, steps: index, noise: eps)
        let c = Tensor(shape: [b], values: index.map { Float(conditioning($0)) })
        let epsHat = backbone.forward(Variable(xi), Variable(c), context: context)
        return (Autograd.mean(square(epsHat - Variable(eps)), axes: Array(1..<x0.rank)), index)
    }

    /// L_simple over the batch (the mean of `simpleLosses`).
    public func simpleLoss(_ x0: Tensor, backbone: any Backbone, rng: CounterRNG, step: UInt32, firstSample: Int,
                           context: ForwardContext) -> Variable {
        Autograd.mean(simpleLosses(x0, backbone: backbone, rng: rng, step: step, firstSample: firstSample, context: context).losses)
    }

    /// Ancestral sampling with a trained noise-prediction backbone (forward only).
    public func sample(shape: [Int], backbone: any Backbone, seed: UInt64, firstSample: Int = 0,
                       progress: SamplingProgress? = nil) -> Tensor {
        sample(shape: shape, seed: seed, firstSample: firstSample, progress: progress) { x, c in
            backbone.forward(Variable(x), Variable(Tensor(shape: [x.shape[0]], repeating: Float(c))), context: .inference).value
        }
    }
}
