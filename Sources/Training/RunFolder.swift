import Checkpoint
import Config
import Foundation
import Tensor

/// The folder of one run (DESIGN.md): `config.yaml` (resolved), `metrics.jsonl`,
/// `checkpoints/`, `samples/` (PNG grids), `log.txt`.
public struct RunFolder: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public var configPath: String { file("config.yaml") }
    public var metricsPath: String { file("metrics.jsonl") }
    public var logPath: String { file("log.txt") }
    public var checkpointsPath: String { file("checkpoints") }
    public var samplesPath: String { file("samples") }
    public var checkpoints: CheckpointDirectory { CheckpointDirectory(path: checkpointsPath) }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Where a new run would overwrite an earlier one: its checkpoints and metrics.
    public func earlierRunOutputs() -> [String] {
        var found = checkpoints.checkpoints().map(\.path)
        if let size = (try? FileManager.default.attributesOfItem(atPath: metricsPath))?[.size] as? Int, size > 0 {
            found.append(metricsPath)
        }
        let completed = file("COMPLETED")
        if FileManager.default.fileExists(atPath: completed) { found.append(completed) }
        return found
    }

    /// Creates the folders; for a fresh run refuses to overwrite an earlier run's outputs
    /// unless `force`, in which case they are deleted first. Writes the resolved config.
    public func prepare(configYAML: String, freshRun: Bool, force: Bool) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw TrainingError("\(path): the run folder is a file, expected a folder")
        }
        if freshRun {
            let earlier = earlierRunOutputs()
            if !earlier.isEmpty {
                guard force else {
                    throw TrainingError("\(path) already holds a run (\(earlier.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))); "
                        + "pass --resume auto to continue it, --force to start over (deleting them), or choose another --run-dir")
                }
                for p in earlier { try? fm.removeItem(atPath: p) }
                for p in checkpoints.partialFiles() { try? fm.removeItem(atPath: p) }
            }
        }
        do {
            for p in [path, checkpointsPath, samplesPath] {
                try fm.createDirectory(atPath: p, withIntermediateDirectories: true)
            }
            try AtomicFile.write(configYAML, to: configPath)
        } catch {
            throw TrainingError("\(path): cannot create the run folder: \(error.localizedDescription)")
        }
    }
}
