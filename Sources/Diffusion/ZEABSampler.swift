import Foundation
import Tensor

/// Exponential Adams-Bashforth on z (azula's EAB sampler, a multistep DPM-Solver, Lu et al. 2022):
/// in u = log rho, rho = sigma / alpha, y = x / alpha, dy/du = e^u z(x), so
///     x_s = alpha_s / alpha_t x_t + alpha_s sum_j c_j z_{t_j},  c_j = int_{u_t}^{u_s} e^u l_j(u) du.
/// Order `order` (after the ramp-up).
public struct ZEABSampler: MultistepSampler {
    public let denoiser: any Denoiser
    public let settings: SamplingSettings
    public let order: Int

    public init(denoiser: any Denoiser, order: Int = 2, settings: SamplingSettings = SamplingSettings()) {
        precondition(order >= 1, "ZEABSampler: order must be at least 1, got \(order)")
        self.denoiser = denoiser
        self.order = order
        self.settings = settings
    }

    func variable(alpha: Double, sigma: Double) -> Double { log(sigma) - log(alpha) }
    var weights: [(Double) -> Double] { [{ exp($0) }] }
    func quantities(_ xt: Tensor, mean: Tensor, alpha: Double, sigma: Double) -> [Tensor] {
        [EulerSampler.noiseEstimate(xt, mean: mean, alpha: alpha, sigma: sigma)]
    }
    func update(_ xt: Tensor, t: (alpha: Double, sigma: Double), s: (alpha: Double, sigma: Double), integrals: [Tensor]) -> Tensor {
        combine([(s.alpha / t.alpha, xt), (s.alpha, integrals[0])])
    }
}
