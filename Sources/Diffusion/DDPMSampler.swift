import Tensor

/// The DDPM ancestral sampler (Ho et al. 2020), azula's form:
///     x_s = alpha_s mu + sigma_s sqrt(1 - tau) (x_t - alpha_t mu) / sigma_t + sigma_s sqrt(tau) eps,
///     tau = 1 - (alpha_t / alpha_s)^2 (sigma_s / sigma_t)^2,
/// with mu = E[x | x_t] and eps ~ N(0, I).
public struct DDPMSampler: SingleStepSampler {
    public let denoiser: any Denoiser
    public let settings: SamplingSettings

    public init(denoiser: any Denoiser, settings: SamplingSettings = SamplingSettings()) {
        self.denoiser = denoiser
        self.settings = settings
    }

    public func step(_ xt: Tensor, from t: Double, to s: Double, index: Int, firstSample: Int) -> Tensor {
        DDIMSampler.transition(xt, from: t, to: s, eta: 1, denoiser: denoiser,
                               noise: { noise(like: xt, index: index, firstSample: firstSample) })
    }
}
