import Tensor

/// Adams-Bashforth on z (azula's AB sampler; the LMS sampler of k-diffusion, rho-AB of Zhang
/// et al. 2023): with y = x / alpha and rho = sigma / alpha the probability-flow ODE is
/// dy/drho = z(x), z = (x_t - alpha_t E[x | x_t]) / sigma_t, and
///     x_s = alpha_s / alpha_t x_t + alpha_s sum_j c_j z_{t_j},  c_j = int_{rho_t}^{rho_s} l_j(rho) drho.
/// Order `order` (after the ramp-up).
public struct ZABSampler: MultistepSampler {
    public let denoiser: any Denoiser
    public let settings: SamplingSettings
    public let order: Int

    public init(denoiser: any Denoiser, order: Int = 2, settings: SamplingSettings = SamplingSettings()) {
        precondition(order >= 1, "ZABSampler: order must be at least 1, got \(order)")
        self.denoiser = denoiser
        self.order = order
        self.settings = settings
    }

    func variable(alpha: Double, sigma: Double) -> Double { sigma / alpha }
    var weights: [(Double) -> Double] { [{ _ in 1 }] }
    func quantities(_ xt: Tensor, mean: Tensor, alpha: Double, sigma: Double) -> [Tensor] {
        [EulerSampler.noiseEstimate(xt, mean: mean, alpha: alpha, sigma: sigma)]
    }
    func update(_ xt: Tensor, t: (alpha: Double, sigma: Double), s: (alpha: Double, sigma: Double), integrals: [Tensor]) -> Tensor {
        combine([(s.alpha / t.alpha, xt), (s.alpha, integrals[0])])
    }
}
