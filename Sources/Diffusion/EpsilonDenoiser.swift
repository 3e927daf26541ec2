import Foundation
import NN

/// The noise-prediction parametrisation (Ho et al. 2020): the backbone predicts z from the
/// normalised x_t and E[x | x_t] = (x_t - sigma z_hat) / alpha, i.e.
///     c_in = 1 / sqrt(alpha^2 + sigma^2), c_out = -sigma / alpha, c_skip = 1 / alpha, c_time = log(sigma / alpha).
/// Its loss is ||z - z_hat||^2 (mean over elements): lambda_t = alpha^2 / sigma^2 on the mean.
public struct EpsilonDenoiser: BackboneDenoiser {
    public let backbone: any Backbone
    public let schedule: any NoiseSchedule

    public init(backbone: any Backbone, schedule: any NoiseSchedule) {
        self.backbone = backbone
        self.schedule = schedule
    }

    public func preconditioning(alpha: Double, sigma: Double) -> Preconditioning {
        Preconditioning(cIn: 1 / (alpha * alpha + sigma * sigma).squareRoot(), cOut: -sigma / alpha, cSkip: 1 / alpha,
                        cTime: log(sigma / alpha))
    }

    public func lossWeight(alpha: Double, sigma: Double) -> Double { alpha * alpha / (sigma * sigma) }
}
