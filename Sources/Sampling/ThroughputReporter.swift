import Foundation

/// Progress of a sampling job with its throughput: on a terminal one line rewritten in place
/// (`\r`), otherwise (logs, pipes) one line per batch, e.g.
/// `sampled 32/64 (batch 2/4) 18.5 images/s`.
public struct ThroughputReporter {
    public let total: Int
    public let batches: Int
    public let isTerminal: Bool
    /// Appended to each line, e.g. " on rank 0 of 4" (the other ranks run alongside).
    public let scope: String
    let write: (String) -> Void
    let start: Date

    public init(total: Int, batches: Int, isTerminal: Bool = isatty(STDOUT_FILENO) != 0, scope: String = "",
                write: @escaping (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }) {
        self.total = total
        self.batches = batches
        self.isTerminal = isTerminal
        self.scope = scope
        self.write = write
        self.start = Date()
    }

    /// Images per second over `done` images since the start.
    public func rate(done: Int) -> Double {
        let elapsed = Date().timeIntervalSince(start)
        return elapsed > 0 ? Double(done) / elapsed : 0
    }

    public func line(done: Int, batch: Int) -> String {
        String(format: "sampled %d/%d (batch %d/%d) %.1f images/s", done, total, batch, batches, rate(done: done)) + scope
    }

    public func report(done: Int, batch: Int) {
        let text = line(done: done, batch: batch)
        write(isTerminal ? "\r" + text + (batch == batches ? "\n" : "") : text + "\n")
    }
}
