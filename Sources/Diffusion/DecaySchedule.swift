import Foundation

/// Exponential decay schedule (azula): the rectified schedule at tau = (1 - gamma^t) / (1 - gamma),
/// alpha_t = tau alphaMin + (1 - tau), sigma_t = tau + (1 - tau) sigmaMin. Smaller gamma spends
/// more time at high signal-to-noise ratios; gamma -> 1 recovers `RectifiedSchedule`.
public struct DecaySchedule: NoiseSchedule, Equatable, Sendable {
    public var alphaMin: Double
    public var sigmaMin: Double
    public var gamma: Double

    public init(alphaMin: Double = 1e-3, sigmaMin: Double = 1e-3, gamma: Double = 0.1) {
        self.alphaMin = alphaMin
        self.sigmaMin = sigmaMin
        self.gamma = gamma
    }

    public func callAsFunction(_ t: Double) -> (alpha: Double, sigma: Double) {
        let tau = (1 - pow(gamma, t)) / (1 - gamma)
        return (tau * alphaMin + (1 - tau), tau + (1 - tau) * sigmaMin)
    }
}
