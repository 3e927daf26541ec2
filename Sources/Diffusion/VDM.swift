import Foundation
import Autograd
import NN
import Tensor

/// The variational diffusion model of Kingma et al. (2021) in continuous time, with a learned
/// schedule and a noise-prediction backbone eps_hat(z_t, c = gamma(t) / 2) (c = log(sigma_t / alpha_t),
/// the c_time convention of the other denoisers). Per sample, in nats, the negative ELBO is
///     L = L_diffusion + L_prior + L_reconstruction,
///     L_diffusion = 1/2 gamma'(t) ||eps - eps_hat(z_t)||^2,  z_t = alpha_t x + sigma_t eps,  t ~ stratified U(0, 1),
///     L_prior = KL(q(z_1 | x) || N(0, I)) = 1/2 sum_i (sigma_1^2 + alpha_1^2 x_i^2 - 1 - log sigma_1^2),
///     L_reconstruction = -log p(x | z_0) with the discretised 256-level Gaussian decoder
///         p(x_i = k | z_0) = softmax_k(-1/2 ((z_0,i / alpha_0 - v_k) e^(-gamma_0 / 2))^2),  v_k = 2 (k + 1/2) / 256 - 1.
/// Data are in [-1, 1]; each element is read as the bin k nearest to it. Bits per dimension = L / (D ln 2).
public struct VDM {
    public let schedule: LearnedSchedule
    public let backbone: any Backbone
    public let vocabularySize: Int

    public init(schedule: LearnedSchedule, backbone: any Backbone, vocabularySize: Int = 256) {
        self.schedule = schedule
        self.backbone = backbone
        self.vocabularySize = vocabularySize
    }

    /// The terms of the negative ELBO per sample (nats), and their batch means.
    public struct Terms {
        public var diffusion: [Double]
        public var prior: [Double]
        public var reconstruction: [Double]
        /// Elements per sample.
        public var dimensions: Int
        public var total: [Double] { (0..<diffusion.count).map { diffusion[$0] + prior[$0] + reconstruction[$0] } }
        public var meanTotal: Double { total.reduce(0, +) / Double(max(1, total.count)) }
        public var bitsPerDimension: Double { VDM.bitsPerDimension(nats: meanTotal, dimensions: dimensions) }
    }

    public static func bitsPerDimension(nats: Double, dimensions: Int) -> Double { nats / (Double(dimensions) * log(2)) }

    /// The diffusion term per sample ([B], graph recorded through the backbone and the schedule).
    public func diffusionLoss(_ x: Tensor, times: [Double], noise eps: Tensor, context: ForwardContext) -> Variable {
        Tensor.checkSameShape(x, eps, "VDM.diffusionLoss")
        let b = x.shape[0]
        precondition(times.count == b, "VDM.diffusionLoss: \(times.count) times for a batch of \(b)")
        let (g, dg) = schedule.gamma(Variable(Tensor(shape: [b], values: times.map(Float.init))))
        let column = [b] + Array(repeating: 1, count: x.rank - 1)
        let alpha = reshape(sqrt(sigmoid(-g)), column), sigma = reshape(sqrt(sigmoid(g)), column)
        let epsV = Variable(eps)
        let zt = alpha * Variable(x) + sigma * epsV
        let epsHat = backbone.forward(zt, 0.5 * g, context: context)
        let squared = sum(square(epsV - epsHat), axes: Array(1..<x.rank))
        return 0.5 * dg * squared
    }

    /// KL(q(z_1 | x) || N(0, I)) per sample.
    public func priorLoss(_ x: Tensor) -> [Double] {
        let g1 = schedule.gammaMax
        let var1 = 1 / (1 + exp(-g1)), alpha1Sq = 1 / (1 + exp(g1))
        return perSample(x) { values in
            values.reduce(0) { $0 + 0.5 * (var1 + alpha1Sq * $1 * $1 - 1 - log(var1)) }
        }
    }

    /// -log p(x | z_0) per sample with z_0 = alpha_0 x + sigma_0 eps.
    public func reconstructionLoss(_ x: Tensor, noise eps: Tensor) -> [Double] {
        Tensor.checkSameShape(x, eps, "VDM.reconstructionLoss")
        let g0 = schedule.gammaMin
        let alpha0 = (1 / (1 + exp(g0))).squareRoot(), sigma0 = (1 / (1 + exp(-g0))).squareRoot()
        let invStd = exp(-0.5 * g0), k = vocabularySize
        func v(_ j: Int) -> Double { 2 * (Double(j) + 0.5) / Double(k) - 1 }
        let e = eps.scalars.map(Double.init)
        let b = x.shape[0], per = x.count / b
        return (0..<b).map { s in
                var nll = 0.0
                for i in 0..<per {
                    let xi = Double(x.pointer[s * per + i])
                    let bin = min(k - 1, max(0, Int(((xi + 1) / 2 * Double(k) - 0.5).rounded())))
                    let z = (alpha0 * xi + sigma0 * e[s * per + i]) / alpha0
                    func logit(_ j: Int) -> Double { let d = (z - v(j)) * invStd; return -0.5 * d * d }
                    // log-sum-exp over the bins that matter (logits more than 60 below the peak underflow).
                    let centre = min(k - 1, max(0, Int(((z + 1) / 2 * Double(k) - 0.5).rounded())))
                    let peak = logit(centre)
                    var total = 0.0, j = centre
                    while j >= 0, logit(j) > peak - 60 { total += exp(logit(j) - peak); j -= 1 }
                    j = centre + 1
                    while j < k, logit(j) > peak - 60 { total += exp(logit(j) - peak); j += 1 }
                    nll -= logit(bin) - peak - log(total)
                }
                return nll
            }
    }

    /// The training loss (mean over the batch of the negative ELBO, nats per sample) and its terms.
    /// Times are stratified over the global batch and the noise is keyed by global sample index.
    public func loss(_ x: Tensor, rng: CounterRNG, step: UInt32, firstSample: Int, globalBatchSize: Int,
                     context: ForwardContext) -> (loss: Variable, terms: Terms) {
        let b = x.shape[0]
        let t = NoiseLevelSampling.stratified.draw(count: b, schedule: schedule, rng: rng, step: step,
                                                   firstSample: firstSample, globalBatchSize: globalBatchSize)
        let eps = rng.normal(x.shape, purpose: .noise, stream: 0, step: step, firstSample: firstSample)
        let eps0 = rng.normal(x.shape, purpose: .noise, stream: 1, step: step, firstSample: firstSample)
        let diffusion = diffusionLoss(x, times: t, noise: eps, context: context)
        let prior = priorLoss(x), reconstruction = reconstructionLoss(x, noise: eps0)
        let constant = (prior.reduce(0, +) + reconstruction.reduce(0, +)) / Double(b)
        let loss = Autograd.mean(diffusion) + Float(constant)
        let terms = Terms(diffusion: diffusion.value.scalars.map(Double.init), prior: prior,
                          reconstruction: reconstruction, dimensions: x.count / b)
        return (loss, terms)
    }

    private func perSample(_ x: Tensor, _ f: ([Double]) -> Double) -> [Double] {
        let b = x.shape[0], per = x.count / b
        let v = x.scalars.map(Double.init)
        return (0..<b).map { f(Array(v[(b == 0 ? 0 : $0 * per)..<($0 * per + per)])) }
    }
}
