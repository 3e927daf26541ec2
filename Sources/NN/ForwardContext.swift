import Tensor

/// What a forward pass needs besides its inputs: whether it trains (dropout on) and where
/// its random draws come from. Dropout masks are keyed by `(rng.seed, step, firstSample + i)`
/// so sample i draws the same mask on any rank.
public struct ForwardContext: Sendable {
    public var training: Bool
    public var rng: CounterRNG
    public var step: UInt32
    /// Global index of the batch's first sample.
    public var firstSample: Int

    public init(training: Bool, rng: CounterRNG = CounterRNG(seed: 0), step: UInt32 = 0, firstSample: Int = 0) {
        self.training = training
        self.rng = rng
        self.step = step
        self.firstSample = firstSample
    }

    /// Evaluation: no dropout, no randomness.
    public static let inference = ForwardContext(training: false)
}
