/// The architecture and input normalisation of a `FeatureClassifier`, stored with its weights
/// (`ClassifierFile`) so that `diffuse-eval fid` rebuilds exactly the trained network.
public struct FeatureClassifierConfig: Codable, Equatable, Sendable {
    /// One image: [C, H, W].
    public var inputShape: [Int]
    /// Output channels of each 3x3 convolution; the first has stride 1, the others stride 2.
    public var channels: [Int]
    /// GroupNorm groups (must divide every entry of `channels`).
    public var groups: Int
    /// Width of the penultimate layer: the feature space of FID and precision/recall.
    public var featureDimension: Int
    public var numClasses: Int
    /// Per-channel mean and standard deviation of the training images (in the dataset's
    /// [-1, 1] scaling); the network sees (x - mean) / std.
    public var inputMean: [Float]
    public var inputStd: [Float]

    public init(inputShape: [Int], numClasses: Int, channels: [Int] = [32, 64, 64], groups: Int = 8, featureDimension: Int = 128,
                inputMean: [Float]? = nil, inputStd: [Float]? = nil) {
        self.inputShape = inputShape
        self.numClasses = numClasses
        self.channels = channels
        self.groups = groups
        self.featureDimension = featureDimension
        let c = inputShape.first ?? 1
        self.inputMean = inputMean ?? Array(repeating: 0, count: c)
        self.inputStd = inputStd ?? Array(repeating: 1, count: c)
    }

    /// Spatial size after the convolutions: a 3x3 stride-2 convolution with padding 1 maps
    /// n to floor((n - 1) / 2) + 1.
    public var finalSpatial: (height: Int, width: Int) {
        var h = inputShape[1], w = inputShape[2]
        for _ in channels.dropFirst() { h = (h - 1) / 2 + 1; w = (w - 1) / 2 + 1 }
        return (h, w)
    }

    /// Every problem in one message, or nil.
    public func problems() -> String? {
        var p: [String] = []
        if inputShape.count != 3 || inputShape.contains(where: { $0 < 1 }) { p.append("input shape \(inputShape) is not [C, H, W] images") }
        if numClasses < 2 { p.append("num_classes \(numClasses) must be at least 2") }
        if channels.isEmpty || channels.contains(where: { $0 < 1 }) { p.append("channels \(channels) must be positive and not empty") }
        if groups < 1 || channels.contains(where: { $0 % max(1, groups) != 0 }) { p.append("groups \(groups) must divide every channel count \(channels)") }
        if featureDimension < 1 { p.append("feature dimension \(featureDimension) must be positive") }
        let c = inputShape.first ?? 0
        if inputMean.count != c || inputStd.count != c { p.append("input normalisation has \(inputMean.count) means and \(inputStd.count) deviations for \(c) channels") }
        if inputStd.contains(where: { !($0 > 0) || !$0.isFinite }) || inputMean.contains(where: { !$0.isFinite }) {
            p.append("input normalisation \(inputMean) / \(inputStd) is not finite with positive deviations")
        }
        return p.isEmpty ? nil : p.joined(separator: "; ")
    }

    enum CodingKeys: String, CodingKey {
        case inputShape = "input_shape", channels, groups, featureDimension = "feature_dimension", numClasses = "num_classes"
        case inputMean = "input_mean", inputStd = "input_std"
    }
}
