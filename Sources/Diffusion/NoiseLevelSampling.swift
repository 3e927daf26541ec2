import Foundation
import Tensor

/// How training draws the time t of each sample. Every draw is keyed by (seed, purpose .time,
/// step, global sample index) so a sample gets the same t on any number of ranks.
public enum NoiseLevelSampling: Equatable, Sendable {
    /// t ~ U(0, 1) (azula's default).
    case uniform
    /// EDM (Karras et al. 2022): log(sigma/alpha) ~ N(pMean, pStd^2), mapped to t through the
    /// schedule's inverse (clamped to [0, 1]).
    case logNormal(pMean: Double, pStd: Double)
    /// Stratified over the global batch of G samples (the low-discrepancy sampler of VDM):
    /// t_k = frac(u + k / G) for position k of the global batch, with one u per step.
    case stratified
    /// Antithetic pairs: positions 2j and 2j + 1 get u_j and 1 - u_j.
    case antithetic

    public static let edm = NoiseLevelSampling.logNormal(pMean: -1.2, pStd: 1.2)

    /// Times for samples firstSample..<firstSample + count; `globalBatchSize` is the number of
    /// samples of the step over all ranks (positions are global indices modulo it).
    public func draw(count: Int, schedule: any NoiseSchedule, rng: CounterRNG, step: UInt32, firstSample: Int,
                     globalBatchSize: Int) -> [Double] {
        precondition(globalBatchSize >= 1, "NoiseLevelSampling.draw: global batch size \(globalBatchSize)")
        return (0..<count).map { b in
            let k = firstSample + b
            func uniform(_ sample: Int, _ index: UInt32 = 0) -> Double {
                rng.uniformDouble(purpose: .time, step: step, sample: UInt32(truncatingIfNeeded: sample), index: index)
            }
            switch self {
            case .uniform:
                return uniform(k)
            case .logNormal(let pMean, let pStd):
                let u1 = uniform(k, 0), u2 = uniform(k, 1)
                let normal = (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
                return schedule.time(forLogRatio: pMean + pStd * normal)
            case .stratified:
                let position = k % globalBatchSize
                let u = rng.uniformDouble(purpose: .time, step: step, sample: UInt32.max)
                let t = u + Double(position) / Double(globalBatchSize)
                return t - t.rounded(.down)
            case .antithetic:
                let u = uniform(k / 2)
                return k % 2 == 0 ? u : 1 - u
            }
        }
    }
}
