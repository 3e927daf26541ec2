import Foundation

/// The linear-beta schedule of Ho et al. (2020) as a continuous schedule. With the continuous
/// step index k = 1 + t (T - 1) and beta(s) = betaStart + (betaEnd - betaStart)(s - 1)/(T - 1),
///     log alphaBar(k) = int_{1/2}^{k + 1/2} log(1 - beta(s)) ds
/// (closed form), the midpoint-rule continuation of log prod_{j <= i} (1 - beta_j): it equals the
/// discrete alphaBar_i at t = (i - 1)/(T - 1) to about 1e-9 relative. t = 0 is the first discrete
/// step (sigma_0 = sqrt(beta_1) > 0) and t = 1 the last. alpha_t = sqrt(alphaBar), sigma_t = sqrt(1 - alphaBar).
public struct DDPMSchedule: NoiseSchedule, Equatable, Sendable {
    public var betaStart: Double
    public var betaEnd: Double
    public var steps: Int

    public init(betaStart: Double = 1e-4, betaEnd: Double = 0.02, steps: Int = 1000) {
        self.betaStart = betaStart
        self.betaEnd = betaEnd
        self.steps = steps
    }

    /// log alphaBar at the continuous step index k.
    public func logAlphaBar(step k: Double) -> Double {
        let b = (betaEnd - betaStart) / Double(steps - 1)
        if b == 0 { return k * log1p(-betaStart) }
        // int log w ds with w = 1 - betaStart - b (s - 1): antiderivative -(w log w - w) / b.
        func antiderivative(_ s: Double) -> Double {
            let w = 1 - betaStart - b * (s - 1)
            return -(w * log(w) - w) / b
        }
        return antiderivative(k + 0.5) - antiderivative(0.5)
    }

    public func callAsFunction(_ t: Double) -> (alpha: Double, sigma: Double) {
        let logAlphaBar = logAlphaBar(step: 1 + t * Double(steps - 1))
        return (exp(logAlphaBar / 2), (-expm1(logAlphaBar)).squareRoot())
    }
}
