import Foundation
import Tensor

/// A noise schedule: a map from the time t in [0, 1] to the signal and noise scales
/// (alpha_t, sigma_t) of the perturbation kernel x_t = alpha_t x + sigma_t z, z ~ N(0, I)
/// (azula, `azula.noise.Schedule`). The signal-to-noise ratio alpha_t / sigma_t must decrease
/// with t. Coefficients are Float64.
public protocol NoiseSchedule {
    func callAsFunction(_ t: Double) -> (alpha: Double, sigma: Double)
}

extension NoiseSchedule {
    /// log(sigma_t / alpha_t) = -log SNR / 2, the time conditioning `c_time` of the denoisers.
    public func logRatio(_ t: Double) -> Double {
        let (alpha, sigma) = self(t)
        return Foundation.log(sigma) - Foundation.log(alpha)
    }

    /// Per-sample form: `alpha` and `sigma` of each time, as Float64 arrays.
    public func callAsFunction(_ t: [Double]) -> (alpha: [Double], sigma: [Double]) {
        let pairs = t.map { self($0) }
        return (pairs.map(\.alpha), pairs.map(\.sigma))
    }

    /// Per-sample tensor form: `t` of shape [B] gives `alpha` and `sigma` of shape [B].
    public func callAsFunction(_ t: Tensor) -> (alpha: Tensor, sigma: Tensor) {
        let (alpha, sigma) = self(t.scalars.map(Double.init))
        return (Tensor(shape: t.shape, values: alpha.map(Float.init)), Tensor(shape: t.shape, values: sigma.map(Float.init)))
    }

    /// The time whose log(sigma/alpha) equals `logRatio`, by bisection on [0, 1] (the ratio is
    /// monotone in t); clamped to the ends when out of the schedule's range. Used by the EDM
    /// time grid and by log-normal noise-level sampling with any schedule.
    public func time(forLogRatio target: Double) -> Double {
        var lo = 0.0, hi = 1.0
        if target <= logRatio(lo) { return lo }
        if target >= logRatio(hi) { return hi }
        for _ in 0..<100 {
            let mid = 0.5 * (lo + hi)
            if logRatio(mid) < target { lo = mid } else { hi = mid }
            if hi - lo < 1e-15 { break }
        }
        return 0.5 * (lo + hi)
    }
}
