import Foundation
import NN

/// The velocity parametrisation (Salimans & Ho 2022): the backbone predicts
/// v = (alpha z - sigma x) / n, n = sqrt(alpha^2 + sigma^2) (= alpha z - sigma x when n = 1), and
/// E[x | x_t] = alpha / n^2 x_t - sigma / n v_hat, i.e.
///     c_in = 1 / n, c_out = -sigma / n, c_skip = alpha / n^2, c_time = log(sigma / alpha).
/// Its loss is ||v - v_hat||^2 (mean over elements): lambda_t = n^2 / sigma^2 on the mean.
public struct VelocityDenoiser: BackboneDenoiser {
    public let backbone: any Backbone
    public let schedule: any NoiseSchedule

    public init(backbone: any Backbone, schedule: any NoiseSchedule) {
        self.backbone = backbone
        self.schedule = schedule
    }

    public func preconditioning(alpha: Double, sigma: Double) -> Preconditioning {
        let n2 = alpha * alpha + sigma * sigma
        return Preconditioning(cIn: 1 / n2.squareRoot(), cOut: -sigma / n2.squareRoot(), cSkip: alpha / n2, cTime: log(sigma / alpha))
    }

    public func lossWeight(alpha: Double, sigma: Double) -> Double { (alpha * alpha + sigma * sigma) / (sigma * sigma) }
}
