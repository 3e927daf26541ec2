import Foundation
import Tensor

/// Adams-Bashforth on the velocity v. In the angle phi = atan(sigma / alpha) and the normalised
/// state xbar = x / sqrt(alpha^2 + sigma^2) = cos(phi) x + sin(phi) z, the probability-flow ODE is
/// dxbar/dphi = v with v = cos(phi) z - sin(phi) E[x | x_t] (the v of Salimans & Ho 2022), so
///     x_s = n_s (x_t / n_t + sum_j c_j v_{t_j}),  c_j = int_{phi_t}^{phi_s} l_j(phi) dphi,
/// n = sqrt(alpha^2 + sigma^2). Order `order` (after the ramp-up).
public struct VABSampler: MultistepSampler {
    public let denoiser: any Denoiser
    public let settings: SamplingSettings
    public let order: Int

    public init(denoiser: any Denoiser, order: Int = 2, settings: SamplingSettings = SamplingSettings()) {
        precondition(order >= 1, "VABSampler: order must be at least 1, got \(order)")
        self.denoiser = denoiser
        self.order = order
        self.settings = settings
    }

    func variable(alpha: Double, sigma: Double) -> Double { atan2(sigma, alpha) }
    var weights: [(Double) -> Double] { [{ _ in 1 }] }
    func quantities(_ xt: Tensor, mean: Tensor, alpha: Double, sigma: Double) -> [Tensor] {
        // v = cos(phi) z - sin(phi) mu with z = (x_t - alpha mu) / sigma.
        let n = (alpha * alpha + sigma * sigma).squareRoot()
        let cosPhi = alpha / n, sinPhi = sigma / n
        return [combine([(cosPhi / sigma, xt), (-cosPhi * alpha / sigma - sinPhi, mean)])]
    }
    func update(_ xt: Tensor, t: (alpha: Double, sigma: Double), s: (alpha: Double, sigma: Double), integrals: [Tensor]) -> Tensor {
        let nT = (t.alpha * t.alpha + t.sigma * t.sigma).squareRoot()
        let nS = (s.alpha * s.alpha + s.sigma * s.sigma).squareRoot()
        return combine([(nS / nT, xt), (nS, integrals[0])])
    }
}
