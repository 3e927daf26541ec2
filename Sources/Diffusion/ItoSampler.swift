import Tensor

/// Euler-Maruyama on the family of reverse SDEs that share the probability-flow marginals
/// (Song et al. 2021; Karras et al. 2022, eq. 6), written in y = x / alpha and rho = sigma / alpha,
/// where y = x + rho eps is a variance-exploding process with g^2 = d(rho^2)/d(rho) = 2 rho and
/// score -z / rho:
///     dy = (1 + eta^2) z drho + eta sqrt(2 rho) dW      (rho decreasing),
///     y_s = y_t + (1 + eta^2) (rho_s - rho_t) z_t + temperature eta sqrt(2 rho_t (rho_t - rho_s)) eps,
///     x_s = alpha_s y_s.
/// eta = 0 is the Euler sampler; eta = 1 the reverse-time SDE of Anderson (1982). `temperature`
/// scales the injected noise (1 samples the model's distribution).
public struct ItoSampler: SingleStepSampler {
    public let denoiser: any Denoiser
    public let settings: SamplingSettings
    public let eta: Double
    public let temperature: Double

    public init(denoiser: any Denoiser, eta: Double = 1, temperature: Double = 1, settings: SamplingSettings = SamplingSettings()) {
        self.denoiser = denoiser
        self.eta = eta
        self.temperature = temperature
        self.settings = settings
    }

    public func step(_ xt: Tensor, from t: Double, to s: Double, index: Int, firstSample: Int) -> Tensor {
        let (alphaT, sigmaT) = denoiser.schedule(t)
        let (alphaS, sigmaS) = denoiser.schedule(s)
        let rhoT = sigmaT / alphaT, rhoS = sigmaS / alphaS
        let zT = EulerSampler.noiseEstimate(xt, mean: denoise(xt, t), alpha: alphaT, sigma: sigmaT)
        var terms: [(Double, Tensor)] = [(alphaS / alphaT, xt), (alphaS * (1 + eta * eta) * (rhoS - rhoT), zT)]
        let std = temperature * eta * (2 * rhoT * max(rhoT - rhoS, 0)).squareRoot()
        if std > 0 { terms.append((alphaS * std, noise(like: xt, index: index, firstSample: firstSample))) }
        return combine(terms)
    }
}
