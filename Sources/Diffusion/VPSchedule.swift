import Foundation

/// Variance preserving schedule (Ho et al. 2020; Song et al. 2021), azula's form:
/// alpha_t = exp(t^2 log alphaMin), sigma_t = sqrt(1 - alpha_t^2 + sigmaMin^2).
public struct VPSchedule: NoiseSchedule, Equatable, Sendable {
    public var alphaMin: Double
    public var sigmaMin: Double

    public init(alphaMin: Double = 1e-3, sigmaMin: Double = 1e-3) {
        self.alphaMin = alphaMin
        self.sigmaMin = sigmaMin
    }

    public func callAsFunction(_ t: Double) -> (alpha: Double, sigma: Double) {
        let alpha = exp(t * t * log(alphaMin))
        return (alpha, (1 - alpha * alpha + sigmaMin * sigmaMin).squareRoot())
    }
}
