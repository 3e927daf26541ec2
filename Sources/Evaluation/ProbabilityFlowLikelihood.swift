import Diffusion
import Foundation
import Tensor

/// Exact-likelihood evaluation through the probability-flow ODE (Song et al. 2021, "Score-based
/// generative modeling through SDEs", appendix D.2) with Hutchinson's trace estimator, as FFJORD
/// (Grathwohl et al. 2019).
///
/// With rho = sigma / alpha and z(x, t) = (x - alpha mu(x, t)) / sigma the noise estimate, the
/// ODE whose marginals are those of x_t = alpha_t x + sigma_t eps is (azula's Euler form)
///     dx/dt = f(x, t) = (alpha'/alpha) x + alpha rho' z(x, t),
///     div f = D (alpha'/alpha + alpha rho' / sigma) - (alpha^2 rho' / sigma) tr(d mu / dx),
/// and log p_0(x_0) = log p_1(x_1) + int_0^1 div f(x_t, t) dt along the solution from the data
/// x_0 up to x_1, with the prior p_1 = N(0, (alpha_1^2 + sigma_1^2) I) (data of unit scale).
/// The integral is taken with Heun's method on `steps` steps from `start` to `stop` (the
/// schedule's own ends by default), the times spaced uniformly in log(sigma/alpha) (where the
/// ODE is smooth; uniform t steps are far too coarse near the ends of, e.g., the cosine
/// schedule); derivatives of alpha and rho are central differences.
/// tr(d mu / dx) is estimated as v^T J v with one Rademacher v per sample, fixed along the path
/// and keyed by (seed, global sample index), or computed exactly with the D basis vectors.
public struct ProbabilityFlowLikelihood {
    public enum Trace: Equatable, Sendable {
        case hutchinson
        case exact
    }

    public let model: any MeanJacobianProbe
    public var steps: Int
    public var trace: Trace
    public var seed: UInt64
    public var start: Double
    public var stop: Double

    public init(model: any MeanJacobianProbe, steps: Int = 64, trace: Trace = .hutchinson, seed: UInt64 = 0,
                start: Double = 0, stop: Double = 1) {
        precondition(steps >= 1 && start < stop, "ProbabilityFlowLikelihood: steps \(steps), interval [\(start), \(stop)]")
        self.model = model
        self.steps = steps
        self.trace = trace
        self.seed = seed
        self.start = start
        self.stop = stop
    }

    /// (alpha, d alpha / dt, rho, d rho / dt) at t.
    func coefficients(_ t: Double) -> (alpha: Double, dAlpha: Double, sigma: Double, dRho: Double) {
        let h = 1e-5
        let lo = max(0, t - h), hi = min(1, t + h)
        let (a, s) = model.schedule(t), (a0, s0) = model.schedule(lo), (a1, s1) = model.schedule(hi)
        return (a, (a1 - a0) / (hi - lo), s, (s1 / a1 - s0 / a0) / (hi - lo))
    }

    /// Rademacher probes (+-1) for samples firstSample..., fixed along the path.
    func rademacher(_ shape: [Int], firstSample: Int) -> Tensor {
        let u = CounterRNG(seed: seed).uniform(shape, purpose: .misc, stream: 0x51, step: 0, firstSample: firstSample)
        return u.map { $0 < 0.5 ? -1 : 1 }
    }

    /// f(x, t) and div f per sample.
    func drift(_ x: Tensor, _ t: Double, probes: [Tensor]) -> (f: Tensor, divergence: [Double]) {
        let (alpha, dAlpha, sigma, dRho) = coefficients(t)
        let b = x.shape[0], d = x.count / max(1, b)
        var traces = [Double](repeating: 0, count: b)
        var mean: Tensor? = nil
        for v in probes {
            let (m, q) = model.meanAndProbe(x, t: t, probes: v)
            mean = mean ?? m
            for s in 0..<b { traces[s] += q[s] }
        }
        let mu = mean!
        // f = (alpha'/alpha) x + alpha rho' (x - alpha mu) / sigma
        let cx = dAlpha / alpha + alpha * dRho / sigma, cm = -alpha * alpha * dRho / sigma
        let f = Tensor(uninitialized: x.shape)
        let xp = x.pointer, mp = mu.pointer, fp = f.pointer
        for i in 0..<x.count { fp[i] = Float(cx * Double(xp[i]) + cm * Double(mp[i])) }
        let divergence = traces.map { Double(d) * cx + cm * $0 }
        return (f, divergence)
    }

    /// start = t_0 < ... < t_steps = stop, uniform in log(sigma_t / alpha_t).
    public func grid() -> [Double] {
        let lo = model.schedule.logRatio(start), hi = model.schedule.logRatio(stop)
        return (0...steps).map { n in
            if n == 0 { return start }
            if n == steps { return stop }
            return model.schedule.time(forLogRatio: lo + (hi - lo) * Double(n) / Double(steps))
        }
    }

    /// log p(x) in nats per sample for the batch `x` (rows are samples firstSample...).
    public func logLikelihood(_ x: Tensor, firstSample: Int = 0) -> [Double] {
        let b = x.shape[0], d = x.count / max(1, b)
        let probes: [Tensor]
        switch trace {
        case .hutchinson:
            probes = [rademacher(x.shape, firstSample: firstSample)]
        case .exact:
            probes = (0..<d).map { i in
                let e = Tensor(zeros: x.shape)
                for s in 0..<b { e.pointer[s * d + i] = 1 }
                return e
            }
        }
        var xt = x.copy()
        var integral = [Double](repeating: 0, count: b)
        let times = grid()
        for n in 0..<steps {
            let t0 = times[n], t1 = times[n + 1]
            let (f0, div0) = drift(xt, t0, probes: probes)
            let euler = xt.copy()
            euler.addInPlace(f0, scaledBy: Float(t1 - t0))
            let (f1, div1) = drift(euler, t1, probes: probes)
            let next = xt.copy()
            next.addInPlace(f0, scaledBy: Float(0.5 * (t1 - t0)))
            next.addInPlace(f1, scaledBy: Float(0.5 * (t1 - t0)))
            for s in 0..<b { integral[s] += 0.5 * (t1 - t0) * (div0[s] + div1[s]) }
            xt = next
        }
        let (alpha1, sigma1) = model.schedule(stop)
        let variance = alpha1 * alpha1 + sigma1 * sigma1
        return (0..<b).map { s in
            var squares = 0.0
            for i in 0..<d { let v = Double(xt.pointer[s * d + i]); squares += v * v }
            let prior = -0.5 * (squares / variance + Double(d) * Foundation.log(2 * Double.pi * variance))
            return prior + integral[s]
        }
    }
}
