import Config
import Data
import Diffusion
import Evaluation
import Foundation
import Sampling
import Tensor

/// What `eval.every` needs, prepared once when training starts: the classifier of
/// `eval.classifier` (a missing, damaged or mis-shaped file stops the run before its first
/// step), the features of the first `eval.count` reference images (`eval.reference`, default
/// the training data), computed once and reused at every evaluation, and a sample drawer with
/// `eval.steps` and `eval.guidance` (defaults: the `sample:` section). A class-conditional
/// model draws sample i of class i mod K. Each rank draws its share of whole groups of images
/// (as the sample grid: `SampleRun.share`), keyed by global sample index, so the samples, and
/// the figures computed from them in sample order, do not depend on the number of ranks.
public struct SampleQualityEvaluator {
    /// The fewest samples an evaluation takes (covariance, k-NN balls with k = `k`).
    public static let minimumCount = EvalConfig.minimumCount
    public let classifier: FeatureClassifier
    public let reference: ClassifierFeatureSet
    public let count: Int
    public let numClasses: Int
    public let k = 3
    public let draw: TrainingComponents.SampleDrawer
    /// "256 samples, heun, 32 steps, guidance 2" for the log.
    public let summary: String

    /// The class sample i is drawn for: i mod K (nil: unconditional).
    public func requestedClasses() -> [Int]? {
        numClasses > 0 ? SampleQualityEvaluator.cycling(count: count, numClasses: numClasses) : nil
    }

    static func cycling(count: Int, numClasses: Int) -> [Int] { (0..<count).map { $0 % numClasses } }

    public static func make(_ config: TrainConfig, denoiser: any BackboneDenoiser, dataset: any Dataset) throws -> SampleQualityEvaluator {
        let e = config.eval
        let classifier: FeatureClassifier
        do {
            classifier = try ClassifierFile.read(e.classifier).classifier
        } catch {
            throw TrainingError("eval.classifier: \(error)")
        }
        let referenceData: any Dataset, referenceName: String
        if e.reference.isEmpty {
            referenceData = dataset; referenceName = "data.source \(config.data.source)"
        } else {
            do { referenceData = try DatasetFile(path: e.reference) } catch { throw TrainingError("eval.reference: \(error)") }
            referenceName = "eval.reference \(e.reference)"
        }
        do {
            try SampleQuality.checkShape(classifier: classifier.config, classifierPath: e.classifier, sampleShape: dataset.sampleShape,
                                         source: "data.source \(config.data.source)")
            try SampleQuality.checkShape(classifier: classifier.config, classifierPath: e.classifier, sampleShape: referenceData.sampleShape,
                                         source: referenceName)
        } catch {
            throw TrainingError("eval.classifier: \(error)")
        }
        let n = min(e.count, referenceData.count)
        guard n >= minimumCount else {
            throw TrainingError("eval.reference: \(referenceName) holds \(referenceData.count) images, fewer than \(minimumCount)")
        }
        let reference = ClassifierFeatureSet(classifier: classifier, images: try referenceData.samples(Array(0..<n)))
        let numClasses = config.model.kind == .unet ? config.model.unet.numClasses : 0
        let steps = e.steps > 0 ? e.steps : config.sample.steps
        let guidance = e.guidance ?? config.sample.guidance
        let draw = try TrainingSetup.makeSampleDrawer(config, denoiser: denoiser, sampleShape: dataset.sampleShape, steps: steps,
                                                      guidance: guidance, classes: { cycling(count: $0, numClasses: $1) })
        let summary = "\(e.count) samples, \(config.sample.sampler.rawValue), \(steps) steps" + (numClasses > 0 ? String(format: ", guidance %g", guidance) : "")
        return SampleQualityEvaluator(classifier: classifier, reference: reference, count: e.count, numClasses: numClasses,
                                      draw: draw, summary: summary)
    }
}
