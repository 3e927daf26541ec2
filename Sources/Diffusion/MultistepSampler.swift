import Foundation
import Autograd
import Tensor

/// The shared loop of the Adams-Bashforth family (azula's `__call__` of the multistep samplers).
/// A method integrates, in a variable u(alpha, sigma), quantities f_k(x_t) (z, v or the denoised
/// mean) against weights w_k(u):
///     x_s = update(x_t, integral_k = sum_j c_kj f_k(x_{t_j})),  c_kj = int_{u_t}^{u_s} w_k(u) l_j(u) du,
/// over the last n = min(order, steps taken) times (the order ramps up 1, 2, ..., order).
protocol MultistepSampler: Sampler {
    var order: Int { get }
    /// The integration variable u at (alpha, sigma).
    func variable(alpha: Double, sigma: Double) -> Double
    /// The weights w_k(u), one per integrated quantity.
    var weights: [(Double) -> Double] { get }
    /// The quantities f_k at x_t given the denoised mean.
    func quantities(_ xt: Tensor, mean: Tensor, alpha: Double, sigma: Double) -> [Tensor]
    /// x_s from x_t and the integrals of each quantity.
    func update(_ xt: Tensor, t: (alpha: Double, sigma: Double), s: (alpha: Double, sigma: Double), integrals: [Tensor]) -> Tensor
}

extension MultistepSampler {
    public func callAsFunction(_ x: Tensor, firstSample: Int, progress: SamplingProgress?, shouldStop: SamplingShouldStop) -> Tensor? {
        withNoGrad {
            let ts = timesteps, n = settings.steps
            let scales = ts.map { denoiser.schedule($0) }
            let u = scales.map { variable(alpha: $0.alpha, sigma: $0.sigma) }
            var history: [[Tensor]] = []
            var xt = x
            for i in 0..<n {
                if shouldStop() { return nil }
                let mean = denoise(xt, ts[i])
                if settings.denoiseFinal && i == n - 1 {
                    xt = mean
                } else {
                    history.append(quantities(xt, mean: mean, alpha: scales[i].alpha, sigma: scales[i].sigma))
                    if history.count > order { history.removeFirst() }
                    let nodes = Array(u[(i + 1 - history.count)...i])
                    let integrals = weights.enumerated().map { k, w -> Tensor in
                        let c = LagrangeCoefficients.integrals(nodes: nodes, from: u[i], to: u[i + 1], weight: w)
                        return combine(zip(c, history.map { $0[k] }).map { ($0, $1) })
                    }
                    xt = update(xt, t: scales[i], s: scales[i + 1], integrals: integrals)
                }
                progress?(i + 1, n)
            }
            return xt
        }
    }
}
