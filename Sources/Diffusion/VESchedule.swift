import Foundation

/// Variance exploding schedule (Song & Ermon 2019; Song et al. 2021):
/// alpha_t = 1, sigma_t = exp((1 - t) log sigmaMin + t log sigmaMax).
public struct VESchedule: NoiseSchedule, Equatable, Sendable {
    public var sigmaMin: Double
    public var sigmaMax: Double

    public init(sigmaMin: Double = 1e-3, sigmaMax: Double = 1e3) {
        self.sigmaMin = sigmaMin
        self.sigmaMax = sigmaMax
    }

    public func callAsFunction(_ t: Double) -> (alpha: Double, sigma: Double) {
        (1, exp((1 - t) * log(sigmaMin) + t * log(sigmaMax)))
    }
}
