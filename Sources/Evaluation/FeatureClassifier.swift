import Autograd
import NN
import Tensor

/// A small LeNet-like image classifier whose penultimate layer is the feature space of the
/// "FID with a LeNet" practice for MNIST-like data (and of precision/recall and class
/// agreement): for x normalised per channel, (x - mean) / std,
///     h_0 = SiLU(GN(conv3x3(x))),  h_i = SiLU(GN(conv3x3 stride 2 (h_{i-1}))),
///     f = SiLU(W_f flatten(h_L) + b_f)        (the features, `featureDimension` wide),
///     logits = W_c f + b_c.
/// Parameters are named as PyTorch would (`convs.0.weight`, `norms.0.weight`, `fc.weight`,
/// `head.weight`).
public final class FeatureClassifier: Module {
    public let config: FeatureClassifierConfig
    public let convs: [Conv2d]
    public let norms: [GroupNorm]
    public let fc: Linear
    public let head: Linear

    public init(_ config: FeatureClassifierConfig, seed: UInt64 = 0) {
        precondition(config.problems() == nil, "FeatureClassifier: \(config.problems()!)")
        self.config = config
        var initialiser = ParameterInitialiser(seed: seed)
        var convs: [Conv2d] = [], norms: [GroupNorm] = []
        var inChannels = config.inputShape[0]
        for (i, c) in config.channels.enumerated() {
            convs.append(Conv2d(inChannels, c, kernelSize: 3, stride: i == 0 ? 1 : 2, padding: 1, initialiser: &initialiser))
            norms.append(GroupNorm(groups: config.groups, channels: c, initialiser: &initialiser))
            inChannels = c
        }
        self.convs = convs
        self.norms = norms
        let (h, w) = config.finalSpatial
        fc = Linear(inChannels * h * w, config.featureDimension, initialiser: &initialiser)
        head = Linear(config.featureDimension, config.numClasses, initialiser: &initialiser)
    }

    public var namedParameters: [(name: String, variable: Variable)] {
        var named: [(name: String, variable: Variable)] = []
        for i in convs.indices { named += convs[i].prefixed("convs.\(i)") + norms[i].prefixed("norms.\(i)") }
        return named + fc.prefixed("fc") + head.prefixed("head")
    }

    /// (x - mean) / std per channel, for images [B, C, H, W] in the dataset's scaling.
    public func normalised(_ images: Tensor) -> Tensor {
        let out = images.copy()
        let b = images.shape[0], c = config.inputShape[0], plane = images.count / max(1, b * c)
        let p = out.pointer
        for n in 0..<b {
            for ch in 0..<c {
                let mean = config.inputMean[ch], scale = 1 / config.inputStd[ch]
                let base = (n * c + ch) * plane
                for e in 0..<plane { p[base + e] = (p[base + e] - mean) * scale }
            }
        }
        return out
    }

    /// Features [B, featureDimension] and logits [B, numClasses] of images [B, C, H, W].
    public func callAsFunction(_ images: Tensor) -> (features: Variable, logits: Variable) {
        var h = Variable(normalised(images))
        for i in convs.indices { h = norms[i](convs[i](h), silu: true) }
        let flat = reshape(h, [images.shape[0], h.value.count / max(1, images.shape[0])])
        let features = silu(fc(flat))
        return (features, head(features))
    }

    /// Features and logits of many images, in batches of `batch`, without a graph.
    public func evaluate(_ images: Tensor, batch: Int = 256) -> (features: [Float], logits: [Float]) {
        let n = images.shape[0]
        var features: [Float] = [], logits: [Float] = []
        features.reserveCapacity(n * config.featureDimension)
        logits.reserveCapacity(n * config.numClasses)
        withNoGrad {
            for start in stride(from: 0, to: n, by: max(1, batch)) {
                let out = self(images.slice(start..<min(n, start + batch)).copy())
                features += out.features.value.scalars
                logits += out.logits.value.scalars
            }
        }
        return (features, logits)
    }

    /// The most probable class of each row of logits.
    public static func predictions(_ logits: [Float], numClasses: Int) -> [Int] {
        stride(from: 0, to: logits.count, by: numClasses).map { start in
            var best = 0
            for k in 1..<numClasses where logits[start + k] > logits[start + best] { best = k }
            return best
        }
    }
}
