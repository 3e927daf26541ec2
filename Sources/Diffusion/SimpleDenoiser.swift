import Foundation
import NN

/// azula's simple denoiser: the backbone predicts the clean x from the normalised input,
///     c_in = 1 / sqrt(alpha^2 + sigma^2), c_out = 1, c_skip = 0, c_time = log(sigma / alpha),
/// trained with lambda_t = min((alpha^2 + sigma^2) / sigma^2, maxWeight) (maxWeight = 1e4).
public struct SimpleDenoiser: BackboneDenoiser {
    public let backbone: any Backbone
    public let schedule: any NoiseSchedule
    public let maxWeight: Double

    public init(backbone: any Backbone, schedule: any NoiseSchedule, maxWeight: Double = 1e4) {
        self.backbone = backbone
        self.schedule = schedule
        self.maxWeight = maxWeight
    }

    public func preconditioning(alpha: Double, sigma: Double) -> Preconditioning {
        Preconditioning(cIn: 1 / (alpha * alpha + sigma * sigma).squareRoot(), cOut: 1, cSkip: 0, cTime: log(sigma / alpha))
    }

    public func lossWeight(alpha: Double, sigma: Double) -> Double {
        min((alpha * alpha + sigma * sigma) / (sigma * sigma), maxWeight)
    }
}
