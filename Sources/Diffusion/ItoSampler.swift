import Foundation
import Tensor

/// The Ito SDE sampler (azula 0.11, `ItoSampler`): for the family of reverse SDEs
///     dx_t = [f_t x_t - (1 + eta^2) / (2 tau) g_t^2 grad log p(x_t)] dt + eta g_t dw_t,
///     f_t = d log alpha_t / dt,  g_t^2 = alpha_t^2 d(sigma_t^2 / alpha_t^2) / dt,
/// the score is frozen at t (Tweedie: grad log p = (alpha_t mu_t - x_t) / sigma_t^2) and the noise
/// integrated exactly (Ito isometry):
///     x_s = alpha_s / alpha_t x_t + (1 + eta^2) / tau (sigma_s / sigma_t - alpha_s / alpha_t) (x_t - alpha_t mu_t)
///           + eta alpha_s sqrt(|sigma_t^2 / alpha_t^2 - sigma_s^2 / alpha_s^2|) eps,
/// with mu_t = E[x | x_t] and eps ~ N(0, I). eta = 0 is the Euler sampler; eta = 1 the reverse-time
/// SDE of Anderson (1982). The temperature tau divides the score term (tau = 1 samples the model's
/// distribution; tau < 1 sharpens it).
public struct ItoSampler: SingleStepSampler {
    public let denoiser: any Denoiser
    public let settings: SamplingSettings
    public let eta: Double
    public let temperature: Double

    public init(denoiser: any Denoiser, eta: Double = 1, temperature: Double = 1, settings: SamplingSettings = SamplingSettings()) {
        precondition(eta >= 0 && temperature > 0, "ItoSampler: need eta >= 0 and temperature > 0, got \(eta) and \(temperature)")
        self.denoiser = denoiser
        self.eta = eta
        self.temperature = temperature
        self.settings = settings
    }

    public func step(_ xt: Tensor, from t: Double, to s: Double, index: Int, firstSample: Int) -> Tensor {
        let (alphaT, sigmaT) = denoiser.schedule(t)
        let (alphaS, sigmaS) = denoiser.schedule(s)
        let mu = denoise(xt, t)
        // (1 + eta^2) / tau (sigma_s / sigma_t - alpha_s / alpha_t) (x_t - alpha_t mu).
        let c = (1 + eta * eta) / temperature * (sigmaS / sigmaT - alphaS / alphaT)
        var terms: [(Double, Tensor)] = [(alphaS / alphaT + c, xt), (-c * alphaT, mu)]
        let rhoT = sigmaT / alphaT, rhoS = sigmaS / alphaS
        let std = eta * alphaS * abs(rhoT * rhoT - rhoS * rhoS).squareRoot()
        if std > 0 { terms.append((std, noise(like: xt, index: index, firstSample: firstSample))) }
        return combine(terms)
    }
}
