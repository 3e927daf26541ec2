import Foundation
import Autograd
import NN
import Tensor

/// A trained VDM as a `Denoiser`, so every sampler can draw from it: with gamma = gamma(t) of the
/// learned schedule and eps_hat = backbone(x_t, gamma / 2),
///     E[x | x_t] = (x_t - sigma_t eps_hat) / alpha_t,  variance sigma_t^2 / (alpha_t^2 + sigma_t^2) = sigmoid(gamma).
public struct VDMDenoiser: Denoiser {
    public let vdm: VDM
    public var schedule: any NoiseSchedule { vdm.schedule }

    public init(_ vdm: VDM) { self.vdm = vdm }

    public func callAsFunction(_ xt: Tensor, t: Double) -> any Posterior {
        withNoGrad {
            let b = xt.shape.first ?? 1
            let g = vdm.schedule.gamma(t).gamma
            let alpha = (1 / (1 + exp(g))).squareRoot(), sigma = (1 / (1 + exp(-g))).squareRoot()
            let c = Variable(Tensor(shape: [b], repeating: Float(g / 2)))
            let epsHat = vdm.backbone.forward(Variable(xt), c, context: .inference).value
            return GaussianPosterior(mean: combine([(1 / alpha, xt), (-sigma / alpha, epsHat)]),
                                     variance: Tensor(scalar: Float(sigma * sigma)))
        }
    }
}
