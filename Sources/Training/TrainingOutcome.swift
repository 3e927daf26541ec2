/// How a run ended.
public enum TrainingOutcome: Equatable {
    /// All `train.steps` steps done (final checkpoint written).
    case finished(step: Int)
    /// Stopped by SIGTERM, or SIGUSR1 with `--exit-on-signal`, after the checkpoint of `step`
    /// (the signal arrived during that step, its checkpoint or its sample grid).
    case stoppedBySignal(step: Int)
    /// Stopped at `train.time_limit_minutes`, after the checkpoint of `step`.
    case stoppedAtTimeLimit(step: Int)
}

/// One optimizer step as seen by every rank (for tests and progress output).
public struct StepReport: Equatable {
    public var step: Int
    public var loss: Double
    public var gradNorm: Double
    public var lr: Double
    public var skipped: Bool
}
