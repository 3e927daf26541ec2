/// Rectified-flow schedule (Liu et al. 2022; Lipman et al. 2023):
/// alpha_t = t alphaMin + (1 - t), sigma_t = t + (1 - t) sigmaMin.
public struct RectifiedSchedule: NoiseSchedule, Equatable, Sendable {
    public var alphaMin: Double
    public var sigmaMin: Double

    public init(alphaMin: Double = 1e-3, sigmaMin: Double = 1e-3) {
        self.alphaMin = alphaMin
        self.sigmaMin = sigmaMin
    }

    public func callAsFunction(_ t: Double) -> (alpha: Double, sigma: Double) {
        (t * alphaMin + (1 - t), t + (1 - t) * sigmaMin)
    }
}
