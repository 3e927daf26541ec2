import ArgumentParser
import Config
import Evaluation
import Foundation
import Sampling
import Tensor
import Training

/// `diffuse-eval nll|quality|train-classifier|fid`: argument parsing over `NLLEvaluation`,
/// `QualityEvaluation`, `ClassifierTraining` and `FIDEvaluation`;
/// prints the report as a table and writes it as JSON with `--json PATH`.
struct DiffuseEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diffuse-eval",
        abstract: "Likelihood and sample quality of Diffuse checkpoints.",
        subcommands: [NLL.self, Quality.self, TrainClassifier.self, FID.self, Report.self])
}

/// Prints the report, writes the JSON, or prints one error paragraph and exits 1.
func finish(_ command: String, _ json: String?, _ body: () throws -> EvaluationReport) -> Never {
    do {
        let report = try body()
        print(report.table())
        if let json { try report.writeJSON(to: json) }
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("diffuse-eval \(command): error: \(ErrorParagraph.text(error))\n".utf8))
        exit(1)
    }
}

func weightsChoice(_ text: String) throws -> WeightsChoice {
    guard let w = WeightsChoice(rawValue: text.lowercased()) else { throw SamplingError("--weights '\(text)' is not one of ema, model") }
    return w
}

struct NLL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nll", abstract: "Bits per dimension through the probability-flow ODE with a Hutchinson trace estimator.")

    @Option(help: "A checkpoint file, or a run folder (its newest checkpoint that verifies).") var checkpoint: String
    @Option(help: "A dataset file (HDF5) or a built-in dataset name.") var data: String
    @Option(help: "Weights: ema or model.") var weights: String = "ema"
    @Option(help: "Samples evaluated (the first of a file).") var count: Int = 256
    @Option(help: "Seed of a built-in dataset's points.") var dataSeed: UInt64 = 1
    @Option(help: "Samples per batch.") var batch: Int = 64
    @Option(help: "Heun steps of the ODE.") var steps: Int = 64
    @Flag(help: "Exact trace with one backward pass per dimension (small D only).") var exactTrace = false
    @Option(help: "Seed of the Hutchinson probes.") var seed: UInt64 = 0
    @Option(help: "Write the report as JSON.") var json: String?

    func run() throws {
        ThreadBudget.apply()
        finish("nll", json) {
            var o = NLLOptions(checkpoint: checkpoint, data: data)
            o.weights = try weightsChoice(weights)
            o.count = count; o.dataSeed = dataSeed; o.batch = batch; o.steps = steps; o.exactTrace = exactTrace; o.seed = seed
            return try NLLEvaluation.run(o) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        }
    }
}

struct Quality: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quality",
        abstract: "Sliced Wasserstein and MMD (2-D points) or k-NN precision/recall and pixel statistics (images) against data.")

    @Option(help: "A dataset file (HDF5) or a built-in dataset name (fresh points from --data-seed).") var data: String
    @Option(help: "Samples written by diffuse-sample --h5 (instead of --checkpoint).") var samples: String?
    @Option(help: "Draw the samples from this checkpoint (file or run folder).") var checkpoint: String?
    @Option(help: "Weights: ema or model.") var weights: String = "ema"
    @Option(help: "Sampler (default: the checkpoint config's).") var sampler: String?
    @Option(help: "Sampler steps.") var steps: Int?
    @Option(help: "Samples drawn.") var count: Int = 512
    @Option(help: "Sampling seed.") var seed: UInt64 = 0
    @Option(help: "Seed of a built-in dataset's points.") var dataSeed: UInt64 = 1
    @Option(help: "Neighbours of the precision/recall balls.") var k: Int = 3
    @Option(help: "Write the report as JSON.") var json: String?

    func run() throws {
        ThreadBudget.apply()
        finish("quality", json) {
            var o = QualityOptions(data: data, samples: samples)
            if samples == nil, let checkpoint {
                var s = SampleOptions(checkpoint: checkpoint)
                s.weights = try weightsChoice(weights)
                s.sampler = sampler; s.steps = steps; s.count = count; s.seed = seed
                o.sampling = s
            }
            o.dataSeed = dataSeed
            o.k = k
            return try QualityEvaluation.run(o)
        }
    }
}

DiffuseEval.main()
