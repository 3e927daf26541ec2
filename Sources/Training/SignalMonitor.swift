import Foundation
import Synchronization

/// Watches SIGUSR1 (checkpoint at the next step boundary; Slurm's `--signal`, forwarded by
/// mpirun) and SIGTERM (checkpoint and stop). The `sigaction` handler only sets a bit in an
/// atomic word (async-signal-safe); the training loop reads and clears it (`take()`) at each
/// step boundary and after each sample grid, and the ranks agree on it with an allreduce so
/// every rank acts at the same point. Long phases between those points (drawing a grid) look
/// at it without clearing it (`peek()`) between their steps, to stop early.
/// That atomic word is the only process-wide state: signals are process-wide themselves.
public final class SignalMonitor {
    static let checkpointBit = 1
    static let terminateBit = 2
    /// Bits raised by the handler since the last `take()`.
    static let pending = Atomic<Int>(0)

    private var previous: [(Int32, sigaction)] = []

    /// Installs the handlers (the previous actions come back with `stop()`).
    public init() {
        _ = Self.pending.load(ordering: .relaxed)   // initialise the static before any signal arrives
        for sig in [SIGUSR1, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                SignalMonitor.pending.bitwiseOr(sig == SIGTERM ? SignalMonitor.terminateBit : SignalMonitor.checkpointBit,
                                                ordering: .relaxed)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            var old = sigaction()
            sigaction(sig, &action, &old)
            previous.append((sig, old))
        }
    }

    /// The pending requests, cleared by reading.
    public func take() -> SignalRequests {
        Self.requests(Self.pending.exchange(0, ordering: .relaxed))
    }

    /// The pending requests, left pending for the next `take()`.
    public func peek() -> SignalRequests {
        Self.requests(Self.pending.load(ordering: .relaxed))
    }

    static func requests(_ bits: Int) -> SignalRequests {
        SignalRequests(checkpoint: bits & checkpointBit != 0, terminate: bits & terminateBit != 0)
    }

    /// Restores the previous signal actions.
    public func stop() {
        for (sig, old) in previous {
            var action = old
            sigaction(sig, &action, nil)
        }
        previous = []
    }

    deinit { stop() }
}
