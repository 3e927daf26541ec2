import Tensor

/// Images seen through a `FeatureClassifier`: their penultimate features [N, D] (row-major),
/// the classifier's predicted class of each, and the features' Gaussian moments. The
/// reference side of `SampleQuality` is computed once and reused for every evaluation.
public struct ClassifierFeatureSet: Sendable {
    public let features: [Float]
    public let predictions: [Int]
    public let count: Int
    public let dimension: Int
    public let moments: FrechetDistance.Moments

    /// Features of `images` [N, C, H, W] (N >= 2) in the classifier's input scaling ([-1, 1]).
    public init(classifier: FeatureClassifier, images: Tensor) {
        let out = classifier.evaluate(images)
        self.init(features: out.features, predictions: FeatureClassifier.predictions(out.logits, numClasses: classifier.config.numClasses),
                  dimension: classifier.config.featureDimension)
    }

    /// Features and predictions computed elsewhere (gathered from ranks, in sample order).
    public init(features: [Float], predictions: [Int], dimension: Int) {
        precondition(dimension > 0 && features.count == predictions.count * dimension,
                     "ClassifierFeatureSet: \(features.count) features for \(predictions.count) images of dimension \(dimension)")
        self.features = features
        self.predictions = predictions
        self.count = predictions.count
        self.dimension = dimension
        self.moments = FrechetDistance.Moments(features: features, count: count, dimension: dimension)
    }

    public var tensor: Tensor { Tensor(shape: [count, dimension], values: features) }
}
