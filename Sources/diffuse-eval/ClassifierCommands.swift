import ArgumentParser
import Evaluation
import Foundation
import Sampling
import Tensor
import Training

/// `diffuse-eval train-classifier`: argument parsing over `ClassifierTraining` and `ClassifierFile`.
struct TrainClassifier: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-classifier",
        abstract: "Train the small CNN whose features fid, precision/recall and class agreement use, on a labelled dataset file.")

    @Option(help: "A dataset file (HDF5) with /images and /labels.") var data: String
    @Option(help: "The classifier file to write (HDF5).") var out: String
    @Option(help: "Fraction of the file (its last images) held out to measure the accuracy.") var holdout: Double = 0.1
    @Option(help: "Passes over the training images.") var epochs: Int = 3
    @Option(help: "Images per step.") var batch: Int = 64
    @Option(help: "Adam learning rate (cosine decay to 0).") var lr: Double = 2e-3
    @Option(help: "Seed of the initial weights and the epoch orders.") var seed: UInt64 = 0
    @Option(help: "Use only the first N images of the file.") var limit: Int?
    @Option(help: "A labelled dataset file to report the classifier's accuracy on as well (e.g. the test set).") var test: String?
    @Option(help: "Write the report as JSON.") var json: String?

    func run() throws {
        ThreadBudget.apply()
        finish("train-classifier", json) {
            var o = ClassifierTrainingOptions(data: data, out: out)
            o.holdout = holdout; o.epochs = epochs; o.batch = batch; o.lr = lr; o.seed = seed; o.limit = limit
            return try ClassifierTraining.run(o, test: test) { print($0); fflush(stdout) }
        }
    }
}

/// `diffuse-eval fid`: argument parsing over `FIDEvaluation`.
struct FID: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fid",
        abstract: "Frechet distance, k-NN precision/recall and class agreement of a checkpoint's samples in a classifier's features.")

    @Option(help: "A checkpoint file, or a run folder (its newest checkpoint that verifies).") var checkpoint: String
    @Option(help: "A classifier file written by train-classifier.") var classifier: String
    @Option(help: "A dataset file of reference images (its first --count images).") var reference: String
    @Option(help: "Samples drawn (and reference images used).") var count: Int = 1000
    @Option(help: "Weights: ema or model.") var weights: String = "ema"
    @Option(help: "Sampler (default: the checkpoint config's sample.sampler).") var sampler: String?
    @Option(help: "Sampler steps (default: the checkpoint config's sample.steps).") var steps: Int?
    @Option(help: "Time grid: linear or edm (default: the checkpoint config's sample.grid).") var grid: String?
    @Option(help: "DDIM or Ito stochasticity.") var eta: Double?
    @Option(help: "Sampling seed.") var seed: UInt64 = 0
    @Option(help: "Samples per batch.") var batch: Int?
    @Option(name: .customLong("class"), help: "Class-conditional checkpoints: draw every sample of this class.") var classLabel: Int?
    @Option(help: "Class-conditional checkpoints: the classes drawn in turn, 'all' (default) or a list such as 0,3,7.") var classes: String?
    @Option(help: "Classifier-free guidance scale w (default: the checkpoint config's sample.guidance).") var guidance: Double?
    @Option(help: "Neighbours of the precision/recall balls.") var k: Int = 3
    @Option(help: "Write the report as JSON.") var json: String?

    func run() throws {
        ThreadBudget.apply()
        finish("fid", json) {
            var s = SampleOptions(checkpoint: checkpoint)
            s.weights = try weightsChoice(weights)
            s.sampler = sampler; s.steps = steps; s.grid = grid; s.eta = eta; s.count = count; s.seed = seed; s.batch = batch
            s.classLabel = classLabel; s.classes = classes; s.guidance = guidance
            var o = FIDOptions(sampling: s, classifier: classifier, reference: reference)
            o.k = k
            return try FIDEvaluation.run(o) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        }
    }
}
