import Foundation
import Tensor

/// The DDIM sampler (Song et al. 2021), azula's form:
///     x_s = alpha_s mu + sigma_s sqrt(1 - tau) (x_t - alpha_t mu) / sigma_t + sigma_s sqrt(tau) eps,
///     tau = clip(eta (1 - (alpha_t / alpha_s)^2 (sigma_s / sigma_t)^2), 0, 1).
/// eta = 0 is deterministic (and equals the Euler sampler); eta = 1 is DDPM.
public struct DDIMSampler: SingleStepSampler {
    public let denoiser: any Denoiser
    public let settings: SamplingSettings
    public let eta: Double

    public init(denoiser: any Denoiser, eta: Double = 0, settings: SamplingSettings = SamplingSettings()) {
        self.denoiser = denoiser
        self.eta = eta
        self.settings = settings
    }

    public func step(_ xt: Tensor, from t: Double, to s: Double, index: Int, firstSample: Int) -> Tensor {
        DDIMSampler.transition(xt, from: t, to: s, eta: eta, denoiser: denoiser,
                               noise: { noise(like: xt, index: index, firstSample: firstSample) })
    }

    /// The shared DDPM/DDIM transition; `noise` is drawn only when tau > 0.
    static func transition(_ xt: Tensor, from t: Double, to s: Double, eta: Double, denoiser: any Denoiser,
                           noise: () -> Tensor) -> Tensor {
        let (alphaS, sigmaS) = denoiser.schedule(s)
        let (alphaT, sigmaT) = denoiser.schedule(t)
        let ratio = alphaT / alphaS * sigmaS / sigmaT
        let tau = min(max(eta * (1 - ratio * ratio), 0), 1)
        let mu = denoiser(xt, t: t).mean
        let keep = sigmaS * (1 - tau).squareRoot() / sigmaT
        var terms: [(Double, Tensor)] = [(alphaS - keep * alphaT, mu), (keep, xt)]
        if tau > 0 { terms.append((sigmaS * tau.squareRoot(), noise())) }
        return combine(terms)
    }
}
