import Foundation
import Tensor

/// Rotational exponential Adams-Bashforth. In the angle phi = atan(sigma / alpha) the normalised
/// state xbar = x / n, n = sqrt(alpha^2 + sigma^2), obeys dxbar/dphi = cos(phi) z - sin(phi) mu
/// (mu = E[x | x_t], z = (x_t - alpha mu) / sigma); interpolating mu and z by Lagrange polynomials
/// in phi and integrating the rotation exactly,
///     x_s = n_s (x_t / n_t + sum_j a_j mu_{t_j} + sum_j b_j z_{t_j}),
///     a_j = -int sin(phi) l_j(phi) dphi,  b_j = int cos(phi) l_j(phi) dphi   (from phi_t to phi_s).
/// The final scale is n_s = sqrt(alpha_s^2 + sigma_s^2), as the derivation gives (azula 0.11 writes
/// sigma_t there, which makes the method first order). With order 1 this is DDIM. Order `order`.
public struct REABSampler: MultistepSampler {
    public let denoiser: any Denoiser
    public let settings: SamplingSettings
    public let order: Int

    public init(denoiser: any Denoiser, order: Int = 2, settings: SamplingSettings = SamplingSettings()) {
        precondition(order >= 1, "REABSampler: order must be at least 1, got \(order)")
        self.denoiser = denoiser
        self.order = order
        self.settings = settings
    }

    func variable(alpha: Double, sigma: Double) -> Double { atan2(sigma, alpha) }
    var weights: [(Double) -> Double] { [{ -sin($0) }, { cos($0) }] }
    func quantities(_ xt: Tensor, mean: Tensor, alpha: Double, sigma: Double) -> [Tensor] {
        [mean, EulerSampler.noiseEstimate(xt, mean: mean, alpha: alpha, sigma: sigma)]
    }
    func update(_ xt: Tensor, t: (alpha: Double, sigma: Double), s: (alpha: Double, sigma: Double), integrals: [Tensor]) -> Tensor {
        let nT = (t.alpha * t.alpha + t.sigma * t.sigma).squareRoot()
        let nS = (s.alpha * s.alpha + s.sigma * s.sigma).squareRoot()
        return combine([(nS / nT, xt), (nS, integrals[0]), (nS, integrals[1])])
    }
}
