import Foundation

/// Cosine schedule (Nichol & Dhariwal 2021), azula's form:
/// alpha_t = cos(t acos(alphaMin)), sigma_t = sqrt(1 - alpha_t^2 + sigmaMin^2).
public struct CosineSchedule: NoiseSchedule, Equatable, Sendable {
    public var alphaMin: Double
    public var sigmaMin: Double

    public init(alphaMin: Double = 1e-3, sigmaMin: Double = 1e-3) {
        self.alphaMin = alphaMin
        self.sigmaMin = sigmaMin
    }

    public func callAsFunction(_ t: Double) -> (alpha: Double, sigma: Double) {
        let alpha = cos(t * acos(alphaMin))
        return (alpha, (1 - alpha * alpha + sigmaMin * sigmaMin).squareRoot())
    }
}
