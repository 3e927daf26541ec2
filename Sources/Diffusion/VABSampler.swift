import Foundation
import Tensor

/// Adams-Bashforth on the velocity v (azula 0.11, `vABSampler`). In the rectified variables
/// u = sigma / (alpha + sigma) and xbar = x / (alpha + sigma), for which alpha = 1 - u and sigma = u,
/// the probability-flow ODE is dxbar/du = v(x) = E[z | x_t] - E[x | x_t], i.e.
///     v_t = x_t / sigma_t - (1 + alpha_t / sigma_t) mu_t,   mu_t = E[x | x_t],
/// and the n-th order Adams-Bashforth step on the last n times is
///     x_s = (alpha_s + sigma_s) / (alpha_t + sigma_t) x_t + (alpha_s + sigma_s) sum_j c_j v_{t_j},
///     c_j = int_{u_t}^{u_s} l_j(u) du,
/// with l_j the Lagrange basis of those times in u. With order 1 this is DDIM (eta = 0).
/// The order ramps up 1, 2, ..., `order` over the first steps (azula's default order is 2).
public struct VABSampler: MultistepSampler {
    public let denoiser: any Denoiser
    public let settings: SamplingSettings
    public let order: Int

    public init(denoiser: any Denoiser, order: Int = 2, settings: SamplingSettings = SamplingSettings()) {
        precondition(order >= 1, "VABSampler: order must be at least 1, got \(order)")
        self.denoiser = denoiser
        self.order = order
        self.settings = settings
    }

    func variable(alpha: Double, sigma: Double) -> Double { sigma / (alpha + sigma) }
    var weights: [(Double) -> Double] { [{ _ in 1 }] }
    func quantities(_ xt: Tensor, mean: Tensor, alpha: Double, sigma: Double) -> [Tensor] {
        [combine([(1 / sigma, xt), (-(1 + alpha / sigma), mean)])]
    }
    func update(_ xt: Tensor, t: (alpha: Double, sigma: Double), s: (alpha: Double, sigma: Double), integrals: [Tensor]) -> Tensor {
        let nT = t.alpha + t.sigma, nS = s.alpha + s.sigma
        return combine([(nS / nT, xt), (nS, integrals[0])])
    }
}
