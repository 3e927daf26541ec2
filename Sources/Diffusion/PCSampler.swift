import Tensor

/// The predictor-corrector sampler (Song et al. 2021), azula's form. Each step first applies
/// `corrections` Langevin-like corrector moves at t,
///     x_t <- alpha_t mu + sqrt(1 - delta) (x_t - alpha_t mu) + sqrt(delta) sigma_t eps,
/// then the deterministic DDIM predictor x_s = alpha_s mu + sigma_s / sigma_t (x_t - alpha_t mu).
public struct PCSampler: SingleStepSampler {
    public let denoiser: any Denoiser
    public let settings: SamplingSettings
    public let corrections: Int
    public let delta: Double

    public init(denoiser: any Denoiser, corrections: Int = 1, delta: Double = 0.01, settings: SamplingSettings = SamplingSettings()) {
        precondition(corrections >= 0 && delta >= 0 && delta <= 1,
                     "PCSampler: corrections must be >= 0 and delta in [0, 1], got \(corrections) and \(delta)")
        self.denoiser = denoiser
        self.corrections = corrections
        self.delta = delta
        self.settings = settings
    }

    public func step(_ xt: Tensor, from t: Double, to s: Double, index: Int, firstSample: Int) -> Tensor {
        let (alphaT, sigmaT) = denoiser.schedule(t)
        let (alphaS, sigmaS) = denoiser.schedule(s)
        var x = xt
        for c in 0..<corrections {
            let mu = denoise(x, t)
            let keep = (1 - delta).squareRoot()
            let eps = noise(like: x, index: index, stream: SamplingStream.corrector + UInt32(c), firstSample: firstSample)
            x = combine([(alphaT * (1 - keep), mu), (keep, x), (delta.squareRoot() * sigmaT, eps)])
        }
        let mu = denoise(x, t)
        return combine([(alphaS - sigmaS / sigmaT * alphaT, mu), (sigmaS / sigmaT, x)])
    }
}
