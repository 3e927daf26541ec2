/// What stop signals ask of a run: a checkpoint (SIGUSR1) and/or a checkpoint and stop
/// (SIGTERM). Read on one rank from `SignalMonitor`, then combined over all ranks (a request
/// raised on any rank is raised on all) so that every rank acts at the same point.
public struct SignalRequests: Equatable, Sendable {
    /// SIGUSR1: checkpoint, and continue (or stop, with `--exit-on-signal`).
    public var checkpoint: Bool
    /// SIGTERM: checkpoint and stop.
    public var terminate: Bool
    /// `train.time_limit_minutes` reached: checkpoint and stop, as SIGTERM.
    public var timeLimit: Bool

    public static let none = SignalRequests(checkpoint: false, terminate: false)

    public init(checkpoint: Bool, terminate: Bool, timeLimit: Bool = false) {
        self.checkpoint = checkpoint
        self.terminate = terminate
        self.timeLimit = timeLimit
    }

    /// Some request is pending.
    public var any: Bool { checkpoint || terminate || timeLimit }

    /// Whether the run stops after its checkpoint: SIGTERM, the time limit, or SIGUSR1 with
    /// `--exit-on-signal`.
    public func stops(exitOnSignal: Bool) -> Bool {
        terminate || timeLimit || (checkpoint && exitOnSignal)
    }

    /// The signals for a log line: "SIGTERM", "SIGUSR1" or "SIGTERM and SIGUSR1".
    public var names: String {
        [terminate ? "SIGTERM" : nil, checkpoint ? "SIGUSR1" : nil].compactMap { $0 }.joined(separator: " and ")
    }
}
