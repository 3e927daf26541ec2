import Data
import Foundation
import Sampling
import Tensor

/// `diffuse-eval fid`: draws `sampling.count` samples from a checkpoint (`SampleRun`, with the
/// options of `diffuse-sample`) and scores them against as many reference images (the first
/// of the file) in the penultimate features of a classifier file (`SampleQuality`): the
/// Fréchet distance, k-NN precision and recall and, for a class-conditional model, the class
/// agreement. A class-conditional model without `--class`/`--classes` draws every class in
/// turn (`--classes all`: equal shares, one grid row per class), with guidance `--guidance`
/// (default: the checkpoint's `sample.guidance`).
public struct FIDOptions: Sendable {
    public var sampling: SampleOptions
    public var classifier: String
    /// A dataset file of reference images.
    public var reference: String
    public var k: Int = 3

    public init(sampling: SampleOptions, classifier: String, reference: String) {
        self.sampling = sampling
        self.classifier = classifier
        self.reference = reference
    }
}

public enum FIDEvaluation {
    public static func run(_ options: FIDOptions, progress: ((String) -> Void)? = nil) throws -> EvaluationReport {
        let (classifier, accuracy) = try ClassifierFile.read(options.classifier)
        let (checkpoint, _) = try CheckpointModel.resolve(options.sampling.checkpoint)
        let preview = try CheckpointModel.preview(checkpoint)
        try SampleQuality.checkShape(classifier: classifier.config, classifierPath: options.classifier, sampleShape: preview.sampleShape,
                                     source: "checkpoint \(checkpoint)")
        var sampling = options.sampling
        sampling.out = nil; sampling.h5 = nil; sampling.trajectory = nil
        if preview.numClasses > 0 && sampling.classLabel == nil && sampling.classes == nil { sampling.classes = "all" }
        try sampling.validate()
        let referenceFile = try DatasetFile(path: options.reference)
        try SampleQuality.checkShape(classifier: classifier.config, classifierPath: options.classifier, sampleShape: referenceFile.sampleShape,
                                     source: "reference \(options.reference)")
        let count = options.sampling.count
        guard referenceFile.count > options.k, count > options.k else {
            throw SamplingError("fid: need more than k = \(options.k) samples and reference images, got --count \(count) and \(referenceFile.count) in \(options.reference)")
        }
        progress?("reference: features of \(min(count, referenceFile.count)) images of \(options.reference)")
        let reference = ClassifierFeatureSet(classifier: classifier, images: try referenceFile.samples(Array(0..<min(count, referenceFile.count))))

        progress?("sampling \(count) images from \(checkpoint)" + (sampling.classes != nil || sampling.classLabel != nil ? " (class-conditional)" : ""))
        let result = try SampleRun.run(sampling, reporter: { total, batches in
            ThroughputReporter(total: total, batches: batches, isTerminal: false) { progress?($0.trimmingCharacters(in: .newlines)) }
        })
        let generated = ClassifierFeatureSet(classifier: classifier, images: result.samples!)
        let figures = try SampleQuality.figures(generated: generated, reference: reference, requested: result.labels, k: options.k)
        let space = "in the classifier's \(classifier.config.featureDimension) penultimate features"
        var metrics: [EvaluationReport.Metric] = [
            .init("samples", Double(generated.count)), .init("reference_samples", Double(reference.count)),
            .init("fid", figures.fid, note: "Frechet distance " + space),
            .init("precision", figures.precision, note: "k = \(options.k) nearest neighbours " + space),
            .init("recall", figures.recall, note: "k = \(options.k) nearest neighbours " + space),
        ]
        if let agreement = figures.classAgreement {
            let guidance = sampling.guidance ?? preview.config.sample.guidance
            metrics.append(.init("class_agreement", agreement, note: String(format: "share classified as the requested class (guidance %g)", guidance)))
        }
        metrics.append(.init("classifier_held_out_accuracy", accuracy, note: options.classifier))
        return EvaluationReport(command: "fid", source: result.checkpointPath, data: options.reference, metrics: metrics)
    }
}
