import Foundation
import Autograd
import Tensor

/// The discrete-time DDPM of Ho et al. (2020): betas linear from `betaStart` to `betaEnd` over
/// T steps (i = 1...T; arrays are 0-based, index i - 1), alpha_i = 1 - beta_i,
/// alphaBar_i = prod_{j <= i} alpha_j.
/// - forward process q(x_i | x_0) = N(sqrt(alphaBar_i) x_0, (1 - alphaBar_i) I);
/// - posterior q(x_{i-1} | x_i, x_0) = N(mu~_i, beta~_i I) with
///   mu~_i = sqrt(alphaBar_{i-1}) beta_i / (1 - alphaBar_i) x_0 + sqrt(alpha_i) (1 - alphaBar_{i-1}) / (1 - alphaBar_i) x_i,
///   beta~_i = (1 - alphaBar_{i-1}) / (1 - alphaBar_i) beta_i;
/// - reverse step x_{i-1} = (x_i - beta_i / sqrt(1 - alphaBar_i) eps_theta) / sqrt(alpha_i) + sigma_i z,
///   sigma_i^2 = beta_i or beta~_i, and no noise at the last step (i = 1);
/// - L_simple = E ||eps - eps_theta(x_i, i)||^2 with i uniform in 1...T.
/// The network is conditioned on c_i = log(sqrt(1 - alphaBar_i) / sqrt(alphaBar_i)), the same
/// c_time as the continuous denoisers.
public struct DiscreteDDPM: Sendable {
    public enum ReverseVariance: String, Sendable { case beta, betaTilde }

    public let betas: [Double]
    public let alphaBar: [Double]
    public let reverseVariance: ReverseVariance

    public init(betaStart: Double = 1e-4, betaEnd: Double = 0.02, steps: Int = 1000, reverseVariance: ReverseVariance = .beta) {
        precondition(steps >= 2, "DiscreteDDPM: need at least 2 steps, got \(steps)")
        betas = (0..<steps).map { betaStart + (betaEnd - betaStart) * Double($0) / Double(steps - 1) }
        var acc = 1.0
        alphaBar = betas.map { acc *= 1 - $0; return acc }
        self.reverseVariance = reverseVariance
    }

    public var steps: Int { betas.count }

    /// alphaBar_{i} with alphaBar_0 = 1.
    func alphaBar(_ i: Int) -> Double { i == 0 ? 1 : alphaBar[i - 1] }

    /// The network conditioning c_i = 1/2 log((1 - alphaBar_i) / alphaBar_i).
    public func conditioning(_ i: Int) -> Double { 0.5 * (log(-expm1(log(alphaBar(i)))) - log(alphaBar(i))) }

    /// x_i = sqrt(alphaBar_i) x_0 + sqrt(1 - alphaBar_i) eps, per sample (steps[b] for row b).
    public func diffuse(_ x0: Tensor, steps index: [Int], noise eps: Tensor) -> Tensor {
        Tensor.checkSameShape(x0, eps, "DiscreteDDPM.diffuse")
        let a = index.map { alphaBar($0).squareRoot() }, s = index.map { (1 - alphaBar($0)).squareRoot() }
        let out = scalePerSample(x0, a)
        out.addInPlace(scalePerSample(eps, s))
        return out
    }

    /// The posterior q(x_{i-1} | x_i, x_0): coefficients of x_0 and x_i in its mean, and its variance.
    public func posterior(_ i: Int) -> (coefficientX0: Double, coefficientXi: Double, variance: Double) {
        precondition(i >= 1 && i <= steps, "DiscreteDDPM.posterior: step \(i) outside 1...\(steps)")
        let beta = betas[i - 1], abPrev = alphaBar(i - 1), ab = alphaBar(i)
        return (abPrev.squareRoot() * beta / (1 - ab), (1 - beta).squareRoot() * (1 - abPrev) / (1 - ab),
                (1 - abPrev) / (1 - ab) * beta)
    }

    /// sigma_i^2 of the reverse step.
    public func reverseStepVariance(_ i: Int) -> Double {
        reverseVariance == .beta ? betas[i - 1] : posterior(i).variance
    }

    /// One reverse step from x_i given the predicted noise; `z` is standard normal noise (unused at i = 1).
    public func reverseStep(_ xi: Tensor, step i: Int, predictedNoise epsHat: Tensor, noise z: Tensor) -> Tensor {
        let beta = betas[i - 1], ab = alphaBar(i)
        var terms: [(Double, Tensor)] = [(1 / (1 - beta).squareRoot(), xi), (-beta / ((1 - ab).squareRoot() * (1 - beta).squareRoot()), epsHat)]
        if i > 1 { terms.append((reverseStepVariance(i).squareRoot(), z)) }
        return combine(terms)
    }

    /// Ancestral sampling from x_T ~ N(0, I) (drawn here) down to x_0, with `epsilon(x_i, c_i)` the
    /// noise prediction. Noise keyed by (seed, .sampling, step i, global sample index).
    public func sample(shape: [Int], seed: UInt64, firstSample: Int = 0, progress: SamplingProgress? = nil,
                       epsilon: (Tensor, Double) -> Tensor) -> Tensor {
        withNoGrad {
            let rng = CounterRNG(seed: seed)
            var x = rng.normal(shape, purpose: .sampling, stream: SamplingStream.initial, step: UInt32.max, firstSample: firstSample)
            for i in stride(from: steps, through: 1, by: -1) {
                let epsHat = epsilon(x, conditioning(i))
                let z = i > 1 ? rng.normal(shape, purpose: .sampling, stream: SamplingStream.step, step: UInt32(i), firstSample: firstSample) : x
                x = reverseStep(x, step: i, predictedNoise: epsHat, noise: z)
                progress?(steps - i + 1, steps)
            }
            return x
        }
    }

    /// Training steps i ~ U{1, ..., T} for samples firstSample..., keyed by (purpose .time, step).
    public func drawSteps(count: Int, rng: CounterRNG, step: UInt32, firstSample: Int) -> [Int] {
        (0..<count).map { b in
            let u = rng.uniformDouble(purpose: .time, step: step, sample: UInt32(truncatingIfNeeded: firstSample + b))
            return min(steps, 1 + Int(u * Double(steps)))
        }
    }
}
