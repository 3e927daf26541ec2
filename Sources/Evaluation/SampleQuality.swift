import Foundation
import Sampling
import Tensor

/// The sample-quality figures of generated images against reference images, all in one
/// classifier's feature space (the "FID with a LeNet" practice for MNIST-like data):
/// - the Fréchet distance between Gaussians fitted to the two feature sets (`FrechetDistance`);
/// - k-NN precision and recall (Kynkäänniemi et al. 2019, `NearestNeighbourPrecisionRecall`);
/// - for class-conditional samples, the class agreement: the share of samples the classifier
///   assigns to the class they were drawn for.
public enum SampleQuality {
    public struct Figures: Equatable, Sendable {
        public var fid: Double
        public var precision: Double
        public var recall: Double
        public var classAgreement: Double?
    }

    /// `requested`: the class each generated sample was drawn for (nil: unconditional).
    public static func figures(generated: ClassifierFeatureSet, reference: ClassifierFeatureSet, requested: [Int]?, k: Int = 3) throws -> Figures {
        guard generated.dimension == reference.dimension else {
            throw SamplingError("sample quality: features of dimension \(generated.dimension) and \(reference.dimension) differ")
        }
        guard generated.count > k, reference.count > k else {
            throw SamplingError("sample quality: need more than k = \(k) generated and reference images, got \(generated.count) and \(reference.count)")
        }
        let fid = FrechetDistance.squared(generated.moments, reference.moments)
        let pr = NearestNeighbourPrecisionRecall.evaluate(real: reference.tensor, generated: generated.tensor, k: k)
        let agreement = requested.map { labels -> Double in
            precondition(labels.count == generated.count, "SampleQuality: \(labels.count) requested classes for \(generated.count) samples")
            return Double(zip(labels, generated.predictions).filter { $0 == $1 }.count) / Double(max(1, labels.count))
        }
        return Figures(fid: fid, precision: pr.precision, recall: pr.recall, classAgreement: agreement)
    }

    /// Checks that a classifier takes images of the shape a model makes.
    public static func checkShape(classifier: FeatureClassifierConfig, classifierPath: String, sampleShape: [Int], source: String) throws {
        guard classifier.inputShape == sampleShape else {
            throw SamplingError("classifier \(classifierPath) takes images of shape \(classifier.inputShape), but \(source) has images of shape \(sampleShape)")
        }
    }
}
