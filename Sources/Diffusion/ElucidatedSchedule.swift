import Foundation

/// The EDM noise levels (Karras et al. 2022) as a schedule: alpha_t = 1,
/// sigma_t = ((1 - t) sigmaMin^(1/rho) + t sigmaMax^(1/rho))^rho. A uniform grid in t is the
/// EDM sampling grid.
public struct ElucidatedSchedule: NoiseSchedule, Equatable, Sendable {
    public var sigmaMin: Double
    public var sigmaMax: Double
    public var rho: Double

    public init(sigmaMin: Double = 0.002, sigmaMax: Double = 80, rho: Double = 7) {
        self.sigmaMin = sigmaMin
        self.sigmaMax = sigmaMax
        self.rho = rho
    }

    public func callAsFunction(_ t: Double) -> (alpha: Double, sigma: Double) {
        (1, pow((1 - t) * pow(sigmaMin, 1 / rho) + t * pow(sigmaMax, 1 / rho), rho))
    }
}
