import Distributed
import Foundation

/// A one-line progress bar with ETA on a terminal (rewritten in place with `\r`); silent
/// when stdout is a file or pipe (Slurm logs), where the periodic log lines suffice.
struct ProgressLine {
    let enabled: Bool
    let start = Date()

    func show(step: Int, total: Int, loss: Double) {
        guard enabled, total > 0 else { return }
        let width = 30
        let filled = min(width, width * step / total)
        let elapsed = Date().timeIntervalSince(start)
        let eta = step > 0 ? elapsed / Double(step) * Double(total - step) : .nan
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = String(format: "\r[%@] %d/%d loss %.4f eta %@ ", bar, step, total, loss, formatDuration(eta))
        FileHandle.standardOutput.write(Data(line.utf8))
    }

    /// Whether stdout is a terminal the user watches. Under mpirun or srun (OpenMPI hands the
    /// ranks a pseudo-terminal even when the job's output goes to a file) it is not.
    static func stdoutIsOwnTerminal(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        !MPILaunch.isUnderLauncher(environment: environment) && isatty(1) != 0
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardOutput.write(Data(("\r" + String(repeating: " ", count: 79) + "\r").utf8))
    }
}
