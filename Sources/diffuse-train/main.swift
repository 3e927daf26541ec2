import ArgumentParser
import Checkpoint
import Config
import Distributed
import Foundation
import Tensor
import Training

/// `diffuse-train`: argument parsing and a call into `TrainingRun`. One binary with or
/// without mpirun: the communicator comes from the environment.
struct DiffuseTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diffuse-train",
        abstract: "Train a diffusion model (data-parallel under mpirun or srun).",
        discussion: """
        Examples:
          diffuse-train --config configs/shapes.yaml
          mpirun -np 4 diffuse-train --config configs/mnist.yaml --set train.steps=20000
          diffuse-train --config configs/mnist.yaml --run-dir runs/mnist --resume auto
        SIGUSR1 writes a checkpoint at the next step boundary (and stops with --exit-on-signal);
        SIGTERM writes a checkpoint and exits 0. A sample grid in progress stops within a
        sampler step for either; a step's checkpoint is always written before its grid.
        """)

    @Option(name: .long, help: "YAML config file (see configs/).")
    var config: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a config value, e.g. --set train.steps=100 (repeatable).", valueName: "key.path=value"))
    var overrides: [String] = []

    @Option(name: .customLong("run-dir"), help: "Run folder (default runs/<config name>).")
    var runDirectory: String?

    @Option(name: .long, help: ArgumentHelp("Continue from the newest checkpoint of the run folder (auto) or from a checkpoint file.", valueName: "auto|PATH"))
    var resume: String?

    @Flag(name: .customLong("exit-on-signal"), help: "After the checkpoint requested by SIGUSR1, stop instead of continuing.")
    var exitOnSignal = false

    @Flag(name: .long, help: "Start over in a run folder that holds a run (deleting its checkpoints), or resume with a different global batch.")
    var force = false

    func run() throws {
        ThreadBudget.apply()
        let communicator: any Communicator
        do {
            communicator = try makeDefaultCommunicator()
        } catch {
            FileHandle.standardError.write(Data("diffuse-train: cannot start MPI: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let options = TrainOptions(configPath: config, overrides: overrides, runDirectory: runDirectory,
                                   resume: resume.map(ResumeMode.init(argument:)) ?? .none,
                                   exitOnSignal: exitOnSignal, force: force)
        do {
            let outcome = try TrainingRun.run(options, communicator: communicator)
            try? communicator.finalize()
            switch outcome {
            case .stoppedBySignal, .stoppedAtTimeLimit: throw ExitCode(0)
            case .finished: break
            }
        } catch let e as ExitCode {
            throw e
        } catch {
            // Errors of these kinds are raised alike on every rank: rank 0 reports, all exit.
            let collective = error is ConfigError || error is TrainingError || error is CheckpointError || error is ParameterDivergenceError
            if communicator.rank == 0 || !collective {
                let prefix = communicator.size > 1 ? "diffuse-train [rank \(communicator.rank)]: " : "diffuse-train: "
                FileHandle.standardError.write(Data((prefix + "error: \(error)\n").utf8))
            }
            if collective || communicator.size == 1 {
                try? communicator.finalize()
                throw ExitCode(1)
            }
            communicator.abort(code: 1)
        }
    }
}

DiffuseTrain.main()
