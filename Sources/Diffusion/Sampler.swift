import Foundation
import Autograd
import Tensor

/// How the times t_T = start > ... > t_0 = stop are spaced.
public enum TimeGrid: Equatable, Sendable {
    /// Constant step in t (azula's default).
    case uniform
    /// The EDM grid (Karras et al. 2022, eq. 5) on r = sigma/alpha of the schedule:
    /// r_i = (r_max^(1/rho) + i/N (r_min^(1/rho) - r_max^(1/rho)))^rho, mapped back to t
    /// through the schedule, so it works with any schedule.
    case edm(rho: Double)
}

/// What every sampler shares: the interval, the number of steps, the grid, the final
/// denoising option and the seed of its counter-based noise. The defaults are azula 0.11's
/// (start 1, stop 0, 64 uniform steps); the EDM grid and `denoiseFinal` are issue 4's additions
/// (not in azula) and off by default.
public struct SamplingSettings: Equatable, Sendable {
    public var start: Double
    public var stop: Double
    public var steps: Int
    public var grid: TimeGrid
    /// Replace the last step by the denoised mean E[x | x_{t_1}] (k-diffusion / EDM style).
    public var denoiseFinal: Bool
    public var seed: UInt64

    public init(start: Double = 1, stop: Double = 0, steps: Int = 64, grid: TimeGrid = .uniform,
                denoiseFinal: Bool = false, seed: UInt64 = 0) {
        precondition(steps >= 1, "SamplingSettings: steps must be at least 1, got \(steps)")
        self.start = start
        self.stop = stop
        self.steps = steps
        self.grid = grid
        self.denoiseFinal = denoiseFinal
        self.seed = seed
    }
}

/// Called after each step with (steps done, total steps).
public typealias SamplingProgress = (_ done: Int, _ total: Int) -> Void

/// Asked before each step; true abandons the trajectory (a training run's stop signal, so a
/// long grid never stands between the signal and the run's checkpoint).
public typealias SamplingShouldStop = () -> Bool

/// A reverse-diffusion sampler (azula, `azula.sample.Sampler`): simulates x from t_T = start
/// down to t_0 = stop. Forward only (no graph is recorded). Its random draws are keyed by
/// (seed, purpose .sampling, step index, global sample index), so a sample's trajectory does
/// not depend on the batch it runs in.
public protocol Sampler {
    var denoiser: any Denoiser { get }
    var settings: SamplingSettings { get }
    /// Runs the reverse process on `x` = x_{t_T} ([B, ...]); row b is global sample `firstSample + b`.
    /// `shouldStop` is asked before each step: true abandons the run, which returns nil.
    func callAsFunction(_ x: Tensor, firstSample: Int, progress: SamplingProgress?, shouldStop: SamplingShouldStop) -> Tensor?
}

/// Random streams of the samplers (purpose .sampling).
enum SamplingStream {
    static let initial: UInt32 = 0
    static let step: UInt32 = 1
    /// Corrector c of the PC sampler uses `corrector + c`.
    static let corrector: UInt32 = 2
}

extension Sampler {
    public func callAsFunction(_ x: Tensor, firstSample: Int = 0) -> Tensor {
        self(x, firstSample: firstSample, progress: nil)
    }

    /// Runs the reverse process to the end (nothing asks it to stop).
    public func callAsFunction(_ x: Tensor, firstSample: Int, progress: SamplingProgress?) -> Tensor {
        guard let out = self(x, firstSample: firstSample, progress: progress, shouldStop: { false }) else {
            preconditionFailure("\(Self.self) stopped although nothing asked it to")
        }
        return out
    }

    var rng: CounterRNG { CounterRNG(seed: settings.seed) }

    /// The times t_T = start, ..., t_0 = stop (steps + 1 values, decreasing). The uniform grid is
    /// azula's `torch.linspace(start, stop, steps + 1)`, here in Float64 (azula uses the time dtype,
    /// float32 unless `dtype` is given).
    public var timesteps: [Double] {
        let n = settings.steps, a = settings.start, b = settings.stop
        switch settings.grid {
        case .uniform:
            return (0...n).map { i in i == n ? b : a + (b - a) * Double(i) / Double(n) }
        case .edm(let rho):
            let schedule = denoiser.schedule
            let rMax = exp(schedule.logRatio(a)), rMin = exp(schedule.logRatio(b))
            return (0...n).map { i in
                if i == 0 { return a }
                if i == n { return b }
                let f = Double(i) / Double(n)
                let r = pow(pow(rMax, 1 / rho) + f * (pow(rMin, 1 / rho) - pow(rMax, 1 / rho)), rho)
                return schedule.time(forLogRatio: log(r))
            }
        }
    }

    /// Draws x_{t_T} ~ N(alpha_T mean, alpha_T^2 variance + sigma_T^2) elementwise (azula's
    /// `Sampler.init`), with `mean` and `variance` the data's (scalars or tensors of `shape`).
    public func initial(shape: [Int], mean: Double = 0, variance: Double = 1, firstSample: Int = 0) -> Tensor {
        initial(shape: shape, mean: Tensor(shape: shape, repeating: Float(mean)),
                variance: Tensor(shape: shape, repeating: Float(variance)), firstSample: firstSample)
    }

    public func initial(shape: [Int], mean: Tensor, variance: Tensor, firstSample: Int = 0) -> Tensor {
        precondition(mean.shape == shape && variance.shape == shape,
                     "Sampler.initial: mean \(mean.shape) and variance \(variance.shape) must have shape \(shape)")
        let (alpha, sigma) = denoiser.schedule(settings.start)
        let z = rng.normal(shape, purpose: .sampling, stream: SamplingStream.initial, step: UInt32.max, firstSample: firstSample)
        let out = Tensor(uninitialized: shape)
        let m = mean.pointer, v = variance.pointer, e = z.pointer, d = out.pointer
        for i in 0..<out.count {
            let std = (alpha * alpha * Double(v[i]) + sigma * sigma).squareRoot()
            d[i] = Float(alpha * Double(m[i]) + std * Double(e[i]))
        }
        return out
    }

    /// Standard normal noise for step `index` (stream `stream`) of samples firstSample...
    func noise(like x: Tensor, index: Int, stream: UInt32 = SamplingStream.step, firstSample: Int) -> Tensor {
        rng.normal(x.shape, purpose: .sampling, stream: stream, step: UInt32(index), firstSample: firstSample)
    }

    /// The posterior mean E[x | x_t].
    func denoise(_ xt: Tensor, _ t: Double) -> Tensor { denoiser(xt, t: t).mean }
}

/// A sampler defined by one transition x_t -> x_s (s < t); the loop is shared.
public protocol SingleStepSampler: Sampler {
    /// One step from t to s; `index` is the step number (0 for the first), keying its noise.
    func step(_ xt: Tensor, from t: Double, to s: Double, index: Int, firstSample: Int) -> Tensor
}

extension SingleStepSampler {
    public func callAsFunction(_ x: Tensor, firstSample: Int, progress: SamplingProgress?, shouldStop: SamplingShouldStop) -> Tensor? {
        withNoGrad {
            let ts = timesteps, n = settings.steps
            var xt = x
            for i in 0..<n {
                if shouldStop() { return nil }
                if settings.denoiseFinal && i == n - 1 {
                    xt = denoise(xt, ts[i])
                } else {
                    xt = step(xt, from: ts[i], to: ts[i + 1], index: i, firstSample: firstSample)
                }
                progress?(i + 1, n)
            }
            return xt
        }
    }
}
