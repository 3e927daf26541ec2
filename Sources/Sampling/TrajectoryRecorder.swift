import Diffusion
import Tensor

/// A denoiser that passes every call through to `inner` and keeps a copy of the state x_t it
/// was last asked about at each of the chosen grid times. Samplers query the denoiser at
/// x_{t_i} on their way down (a Heun step first looks at its Euler estimate of x_{t_{i+1}},
/// and the next step then at x_{t_{i+1}} itself, so the last query is the state), which
/// makes the recorded states the denoising trajectory without touching the samplers.
public final class TrajectoryRecorder: Denoiser {
    public let inner: any Denoiser
    /// The grid times whose states are kept.
    public let times: [Double]
    /// The last state seen at `times[k]` (nil until queried).
    public private(set) var states: [Tensor?]

    public init(_ inner: any Denoiser, times: [Double]) {
        self.inner = inner
        self.times = times
        self.states = Array(repeating: nil, count: times.count)
    }

    public var schedule: any NoiseSchedule { inner.schedule }

    public func callAsFunction(_ xt: Tensor, t: Double) -> any Posterior {
        if let k = times.firstIndex(of: t) { states[k] = xt.copy() }
        return inner(xt, t: t)
    }

    /// `frames` step indices spread evenly over 0..<steps (the first always included).
    public static func frameSteps(steps: Int, frames: Int) -> [Int] {
        let n = max(1, min(frames, steps))
        return Array(Set((0..<n).map { Int((Double($0) * Double(steps) / Double(n)).rounded(.down)) })).sorted()
    }
}
