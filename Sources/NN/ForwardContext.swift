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
    /// The class label of each row of the batch, for a class-conditional backbone (a UNet with
    /// `numClasses` K > 0): each in 0..<K, or K for "no label". nil: no label for every row.
    /// Unconditional backbones ignore it.
    public var labels: [Int]?

    public init(training: Bool, rng: CounterRNG = CounterRNG(seed: 0), step: UInt32 = 0, firstSample: Int = 0,
                labels: [Int]? = nil) {
        self.training = training
        self.rng = rng
        self.step = step
        self.firstSample = firstSample
        self.labels = labels
    }

    /// Evaluation: no dropout, no randomness.
    public static let inference = ForwardContext(training: false)
}
