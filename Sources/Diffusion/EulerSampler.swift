import Tensor

/// The explicit Euler sampler (azula) on the probability-flow ODE written in
/// y = x / alpha and rho = sigma / alpha, dy/drho = z(x) with z = (x_t - alpha_t E[x | x_t]) / sigma_t:
///     x_s = alpha_s / alpha_t x_t + alpha_s (rho_s - rho_t) z_t.
/// First order; identical to DDIM with eta = 0.
public struct EulerSampler: SingleStepSampler {
    public let denoiser: any Denoiser
    public let settings: SamplingSettings

    public init(denoiser: any Denoiser, settings: SamplingSettings = SamplingSettings()) {
        self.denoiser = denoiser
        self.settings = settings
    }

    public func step(_ xt: Tensor, from t: Double, to s: Double, index: Int, firstSample: Int) -> Tensor {
        let (alphaT, sigmaT) = denoiser.schedule(t)
        let (alphaS, sigmaS) = denoiser.schedule(s)
        let zT = EulerSampler.noiseEstimate(xt, mean: denoise(xt, t), alpha: alphaT, sigma: sigmaT)
        return combine([(alphaS / alphaT, xt), (alphaS * (sigmaS / alphaS - sigmaT / alphaT), zT)])
    }

    /// z = (x_t - alpha_t mu) / sigma_t.
    static func noiseEstimate(_ xt: Tensor, mean: Tensor, alpha: Double, sigma: Double) -> Tensor {
        combine([(1 / sigma, xt), (-alpha / sigma, mean)])
    }
}
