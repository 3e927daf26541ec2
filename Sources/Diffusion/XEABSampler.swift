import Foundation
import Tensor

/// Exponential Adams-Bashforth on the denoised mean (a multistep DPM-Solver++, Lu et al. 2022b):
/// in u = log rho the state w = x / sigma obeys dw/du = -e^(-u) E[x | x_t], so
///     x_s = sigma_s (x_t / sigma_t + sum_j c_j mu_{t_j}),  c_j = -int_{u_t}^{u_s} e^(-u) l_j(u) du.
/// Order `order` (after the ramp-up).
public struct XEABSampler: MultistepSampler {
    public let denoiser: any Denoiser
    public let settings: SamplingSettings
    public let order: Int

    public init(denoiser: any Denoiser, order: Int = 2, settings: SamplingSettings = SamplingSettings()) {
        precondition(order >= 1, "XEABSampler: order must be at least 1, got \(order)")
        self.denoiser = denoiser
        self.order = order
        self.settings = settings
    }

    func variable(alpha: Double, sigma: Double) -> Double { log(sigma) - log(alpha) }
    var weights: [(Double) -> Double] { [{ -exp(-$0) }] }
    func quantities(_ xt: Tensor, mean: Tensor, alpha: Double, sigma: Double) -> [Tensor] { [mean] }
    func update(_ xt: Tensor, t: (alpha: Double, sigma: Double), s: (alpha: Double, sigma: Double), integrals: [Tensor]) -> Tensor {
        combine([(s.sigma / t.sigma, xt), (s.sigma, integrals[0])])
    }
}
