import Tensor

/// The explicit Heun (second order) sampler (azula; Karras et al. 2022): an Euler step to s,
/// then the step redone with the average of z at t and at the Euler estimate of x_s:
///     x_s = alpha_s / alpha_t x_t + alpha_s (rho_s - rho_t) (z_t + z_s) / 2.
public struct HeunSampler: SingleStepSampler {
    public let denoiser: any Denoiser
    public let settings: SamplingSettings

    public init(denoiser: any Denoiser, settings: SamplingSettings = SamplingSettings()) {
        self.denoiser = denoiser
        self.settings = settings
    }

    public func step(_ xt: Tensor, from t: Double, to s: Double, index: Int, firstSample: Int) -> Tensor {
        let (alphaT, sigmaT) = denoiser.schedule(t)
        let (alphaS, sigmaS) = denoiser.schedule(s)
        let h = alphaS * (sigmaS / alphaS - sigmaT / alphaT)
        let zT = EulerSampler.noiseEstimate(xt, mean: denoise(xt, t), alpha: alphaT, sigma: sigmaT)
        let xEuler = combine([(alphaS / alphaT, xt), (h, zT)])
        let zS = EulerSampler.noiseEstimate(xEuler, mean: denoise(xEuler, s), alpha: alphaS, sigma: sigmaS)
        return combine([(alphaS / alphaT, xt), (h / 2, zT), (h / 2, zS)])
    }
}
