import Checkpoint
import Config
import Distributed
import Foundation
import Logging
import Tensor

/// Where training starts: fresh, the newest complete checkpoint of the run folder, or a file.
public enum ResumeMode: Equatable, Sendable {
    case none
    /// The newest checkpoint that validates; a fresh start when there is none. Temporary files
    /// of interrupted writes are deleted.
    case auto
    case path(String)

    /// `auto`, or a path.
    public init(argument: String) {
        self = argument == "auto" ? .auto : .path(argument)
    }
}

/// The command line of `diffuse-train`.
public struct TrainOptions: Sendable {
    public var configPath: String?
    public var overrides: [String]
    /// Default `runs/<name>`.
    public var runDirectory: String?
    public var resume: ResumeMode
    /// Stop after the checkpoint that SIGUSR1 asks for (Slurm preemption) instead of continuing.
    public var exitOnSignal: Bool
    /// Start over in a folder that holds a run, or resume with a different global batch.
    public var force: Bool

    public init(configPath: String?, overrides: [String] = [], runDirectory: String? = nil, resume: ResumeMode = .none,
                exitOnSignal: Bool = false, force: Bool = false) {
        self.configPath = configPath
        self.overrides = overrides
        self.runDirectory = runDirectory
        self.resume = resume
        self.exitOnSignal = exitOnSignal
        self.force = force
    }
}

/// A training job from its command line to its outcome, on every rank of `communicator`.
public enum TrainingRun {
    /// The file written into the run folder when all steps are done (the Slurm script stops
    /// requeueing when it sees it).
    public static let completedMarker = "COMPLETED"

    /// Loads and validates the config, prepares the run folder (rank 0), picks the checkpoint
    /// to resume from, builds the model, data and objective, and trains. Errors are collective
    /// (every rank throws the same one) unless noted otherwise by their type.
    public static func run(_ options: TrainOptions, communicator: any Communicator,
                           makeComponents: (TrainConfig) throws -> TrainingComponents = TrainingSetup.components,
                           onStep: ((StepReport) -> Void)? = nil) throws -> TrainingOutcome {
        let rank = communicator.rank
        var configPath = options.configPath
        if configPath == nil, options.resume != .none, let dir = options.runDirectory {
            configPath = RunFolder(path: dir).configPath
        }
        guard let configPath else {
            throw TrainingError("--config is required (a YAML file such as configs/shapes.yaml), unless --resume continues a --run-dir that holds config.yaml")
        }
        let resolved = try ConfigLoader.load(path: configPath, overrides: options.overrides, worldSize: communicator.size)
        let folder = RunFolder(path: options.runDirectory ?? "runs/\(resolved.config.name)")
        // Data and model first: a config they refuse leaves no run folder behind.
        let components = try makeComponents(resolved.config)

        // Rank 0 prepares the folder and chooses the checkpoint; every rank learns the outcome.
        var notes: [String] = []
        var message = ""
        if rank == 0 {
            do {
                let resumePath: String?
                switch options.resume {
                case .none:
                    resumePath = nil
                case .auto:
                    let removed = folder.checkpoints.removePartialFiles()
                    if !removed.isEmpty { notes.append("removed \(removed.count) partial checkpoint file(s) of an interrupted write: \(removed.joined(separator: ", "))") }
                    let search = folder.checkpoints.newestVerified()
                    if let newest = search.newest {
                        for s in search.skipped { notes.append("--resume auto: skipping a checkpoint that does not verify: \(s)") }
                        if !search.skipped.isEmpty {
                            notes.append("--resume auto: resuming from \(newest.path) (step \(newest.metadata.step)), the newest checkpoint that verifies")
                        }
                        if !newest.metadata.hasChecksums { notes.append(CheckpointReader.unverifiedWarning(newest.path)) }
                        resumePath = newest.path
                    } else if !search.skipped.isEmpty {
                        throw TrainingError("--resume auto: none of the \(search.skipped.count) checkpoint(s) in \(folder.checkpointsPath) verifies (move them away to start a new run): \(search.skipped.joined(separator: "; "))")
                    } else {
                        notes.append("--resume auto: no checkpoint in \(folder.checkpointsPath); starting a new run")
                        resumePath = nil
                    }
                case .path(let p):
                    // Verified, and refused, before the run folder is touched.
                    if !(try CheckpointReader.verify(p)).hasChecksums { notes.append(CheckpointReader.unverifiedWarning(p)) }
                    resumePath = p
                }
                try folder.prepare(configYAML: resolved.yaml, freshRun: options.resume == .none, force: options.force)
                message = "OK:" + (resumePath ?? "")
            } catch {
                message = "ERR:\(error)"
            }
        }
        message = try communicator.broadcast(message, root: 0)
        if message.hasPrefix("ERR:") { throw TrainingError(String(message.dropFirst(4))) }
        let resumePath = message.dropFirst(3).isEmpty ? nil : String(message.dropFirst(3))

        let logger = Logger(label: "diffuse.train") { _ in RunLogHandler(rank: rank, filePath: folder.logPath) }
        for n in notes { logger.warning("\(n)") }
        for w in resolved.warnings { logger.warning("\(configPath): \(w)") }
        logger.info("config \(configPath)\(options.overrides.isEmpty ? "" : " with --set \(options.overrides.joined(separator: " "))") -> run folder \(folder.path)")

        try PrecisionAgreement.activate(resolved.config, communicator: communicator, logger: logger)
        try KernelAgreement.agree(resolved.config, sampleShape: components.dataset.sampleShape, communicator: communicator, logger: logger)
        let signals = SignalMonitor()
        defer { signals.stop() }
        let trainer = try Trainer(resolved: resolved, components: components, communicator: communicator, folder: folder,
                                  logger: logger, signals: signals, exitOnSignal: options.exitOnSignal)
        trainer.onStep = onStep
        if let resumePath {
            let state = try CheckpointReader.read(resumePath, layout: trainer.layout)
            try trainer.restore(from: state, path: resumePath, force: options.force)
            if rank == 0 { try MetricsLog.truncate(folder.metricsPath, afterStep: state.step) }
            logger.info("resumed from \(resumePath) at step \(state.step) (written by \(state.worldSize) rank(s), now \(communicator.size))")
        }
        // However the run ends, rank 0 leaves a report of it (after COMPLETED, when written).
        defer { if rank == 0 { RunReportFile.refresh(folder, step: trainer.step, logger: logger) } }
        let outcome = try trainer.run()
        if case .finished(let step) = outcome, rank == 0 {
            try? AtomicFile.write("finished at step \(step)\n", to: (folder.path as NSString).appendingPathComponent(completedMarker))
        }
        return outcome
    }
}
