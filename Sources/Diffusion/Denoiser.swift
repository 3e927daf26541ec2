import Tensor

/// A denoiser: the posterior q(x | x_t) of the clean x given x_t = alpha_t x + sigma_t z
/// (azula, `azula.denoise`). Samplers call it forward-only on a batch at one time t.
public protocol Denoiser {
    var schedule: any NoiseSchedule { get }
    /// The posterior for a batch `xt` ([B, ...]) at time `t`.
    func callAsFunction(_ xt: Tensor, t: Double) -> any Posterior
}
