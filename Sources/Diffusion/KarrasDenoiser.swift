import Foundation
import NN

/// azula's Karras (EDM) denoiser, the preconditioning of Karras et al. (2022) generalised to alpha_t:
///     c_in = 1 / sqrt(alpha^2 + sigma^2), c_out = sigma / sqrt(alpha^2 + sigma^2),
///     c_skip = alpha / (alpha^2 + sigma^2), c_time = log(sigma / alpha),
/// trained with lambda_t = (alpha^2 + sigma^2) / sigma^2 (so the backbone's target has unit weight).
public struct KarrasDenoiser: BackboneDenoiser {
    public let backbone: any Backbone
    public let schedule: any NoiseSchedule

    public init(backbone: any Backbone, schedule: any NoiseSchedule) {
        self.backbone = backbone
        self.schedule = schedule
    }

    public func preconditioning(alpha: Double, sigma: Double) -> Preconditioning {
        let n2 = alpha * alpha + sigma * sigma
        return Preconditioning(cIn: 1 / n2.squareRoot(), cOut: sigma / n2.squareRoot(), cSkip: alpha / n2, cTime: log(sigma / alpha))
    }

    public func lossWeight(alpha: Double, sigma: Double) -> Double { (alpha * alpha + sigma * sigma) / (sigma * sigma) }
}
