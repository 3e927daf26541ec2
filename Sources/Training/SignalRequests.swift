/// What stop signals ask of a run: a checkpoint (SIGUSR1) and/or a checkpoint and stop
/// (SIGTERM). Read on one rank from `SignalMonitor`, then combined over all ranks (a request
/// raised on any rank is raised on all) so that every rank acts at the same point.
public struct SignalRequests: Equatable, Sendable {
    /// SIGUSR1: checkpoint, and continue (or stop, with `--exit-on-signal`).
    public var checkpoint: Bool
    /// SIGTERM: checkpoint and stop.
    public var terminate: Bool

    public static let none = SignalRequests(checkpoint: false, terminate: false)

    public init(checkpoint: Bool, terminate: Bool) {
        self.checkpoint = checkpoint
        self.terminate = terminate
    }

    /// Some signal arrived.
    public var any: Bool { checkpoint || terminate }

    /// Whether the run stops after its checkpoint: SIGTERM, or SIGUSR1 with `--exit-on-signal`.
    public func stops(exitOnSignal: Bool) -> Bool {
        terminate || (checkpoint && exitOnSignal)
    }

    /// The signals for a log line: "SIGTERM", "SIGUSR1" or "SIGTERM and SIGUSR1".
    public var names: String {
        [terminate ? "SIGTERM" : nil, checkpoint ? "SIGUSR1" : nil].compactMap { $0 }.joined(separator: " and ")
    }
}
