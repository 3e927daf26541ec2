import Autograd
import Data
import Foundation
import NN
import Sampling
import Tensor

/// `diffuse-eval train-classifier`: trains a `FeatureClassifier` on a labelled dataset file and
/// measures it on a held-out split (the last `holdout` fraction of the file).
///
/// Minimises the cross-entropy L = -(1/B) sum_b log softmax(logits_b)[y_b] with Adam
/// (Kingma & Ba 2015) and a cosine learning-rate decay lr_t = lr (1 + cos(pi t / T)) / 2;
/// its gradient with respect to the logits, (softmax(logits) - onehot(y)) / B, seeds the
/// backward pass. Each epoch visits the training split in an order drawn from (seed, epoch)
/// (counter-based, so a run is reproducible). The input normalisation is the per-channel mean
/// and standard deviation of (up to 10,000) training images.
public struct ClassifierTrainingOptions: Sendable {
    public var data: String
    public var out: String
    /// Fraction of the file (its last rows) held out for the accuracy.
    public var holdout: Double = 0.1
    public var epochs: Int = 3
    public var batch: Int = 64
    public var lr: Double = 2e-3
    public var seed: UInt64 = 0
    /// Only the first `limit` images of the file (nil: all).
    public var limit: Int? = nil
    public var channels: [Int] = [32, 64, 64]
    public var groups: Int = 8
    public var featureDimension: Int = 128

    public init(data: String, out: String) { self.data = data; self.out = out }
}

public enum ClassifierTraining {
    public struct Result {
        public var classifier: FeatureClassifier
        public var heldOutAccuracy: Double
        public var trainAccuracy: Double
        public var trainCount: Int
        public var heldOutCount: Int
        public var finalLoss: Double
    }

    /// Trains and returns the classifier (not written anywhere); `progress` gets one line per
    /// report (about every 10% of an epoch, and each epoch's held-out accuracy).
    public static func train(_ options: ClassifierTrainingOptions, progress: ((String) -> Void)? = nil) throws -> Result {
        guard options.epochs >= 1, options.batch >= 1 else { throw SamplingError("--epochs and --batch must be at least 1, got \(options.epochs) and \(options.batch)") }
        guard options.holdout > 0, options.holdout < 1 else { throw SamplingError("--holdout must lie strictly between 0 and 1, got \(options.holdout)") }
        guard options.lr > 0, options.lr.isFinite else { throw SamplingError("--lr must be positive, got \(options.lr)") }
        let file = try DatasetFile(path: options.data, loadIntoMemory: true)
        guard file.sampleShape.count == 3 else {
            throw SamplingError("--data \(options.data): samples of shape \(file.sampleShape) are not [C, H, W] images; a classifier needs images")
        }
        let total = min(file.count, options.limit ?? file.count)
        guard let labels64 = try file.labels(Array(0..<total)) else {
            throw SamplingError("--data \(options.data): the file has no /labels, so no classifier can be trained on it (import it with diffuse-data import --labels)")
        }
        guard let minLabel = labels64.min(), minLabel >= 0, let maxLabel = labels64.max() else {
            throw SamplingError("--data \(options.data): labels must be 0, 1, ..., K-1; found \(labels64.min() ?? 0)")
        }
        let labels = labels64.map { Int($0) }
        let numClasses = max(2, Int(maxLabel) + 1)
        let heldOut = max(1, Int((Double(total) * options.holdout).rounded()))
        let trainCount = total - heldOut
        guard trainCount >= options.batch else {
            throw SamplingError("--data \(options.data): \(total) images leave \(trainCount) for training, fewer than one batch of \(options.batch)")
        }
        let (mean, std) = try channelMoments(file, count: min(trainCount, 10_000))
        let config = FeatureClassifierConfig(inputShape: file.sampleShape, numClasses: numClasses, channels: options.channels, groups: options.groups,
                                             featureDimension: options.featureDimension, inputMean: mean, inputStd: std)
        if let problem = config.problems() { throw SamplingError("classifier: \(problem)") }
        let classifier = FeatureClassifier(config, seed: options.seed)
        let parameters = ParameterSet(classifier)
        let adam = Adam(parameters, lr: Float(options.lr))
        let rng = CounterRNG(seed: options.seed)
        let stepsPerEpoch = trainCount / options.batch
        let totalSteps = stepsPerEpoch * options.epochs
        let reportEvery = max(1, stepsPerEpoch / 10)
        progress?("training a classifier on \(trainCount) images of \(file.sampleShape) (\(numClasses) classes, \(classifier.parameterCount) parameters), holding out the last \(heldOut); \(options.epochs) epoch(s) of \(stepsPerEpoch) steps")
        let heldOutImages = try file.samples(Array(trainCount..<total))
        let heldOutLabels = Array(labels[trainCount..<total])
        var step = 0, lossSum = 0.0, correct = 0, seen = 0, lastLoss = Double.nan, trainAccuracy = 0.0
        for epoch in 0..<options.epochs {
            let keys = (0..<trainCount).map { rng.uniformDouble(purpose: .permutation, stream: 0x43, step: UInt32(epoch), sample: UInt32($0)) }
            let order = (0..<trainCount).sorted { keys[$0] < keys[$1] }
            for b in 0..<stepsPerEpoch {
                let indices = Array(order[(b * options.batch)..<((b + 1) * options.batch)])
                let x = try file.samples(indices)
                let y = indices.map { labels[$0] }
                parameters.zeroGrad()
                let logits = classifier(x).logits
                let (loss, hits, seed) = crossEntropy(logits.value, labels: y)
                logits.backward(seed: seed)
                adam.step(lr: Float(options.lr * 0.5 * (1 + cos(Double.pi * Double(step) / Double(totalSteps)))))
                step += 1
                lossSum += loss; correct += hits; seen += y.count
                if step % reportEvery == 0 || b == stepsPerEpoch - 1 {
                    lastLoss = lossSum / Double(seen / options.batch)
                    trainAccuracy = Double(correct) / Double(seen)
                    progress?(String(format: "epoch %d/%d step %d/%d: loss %.4f, train accuracy %.4f", epoch + 1, options.epochs, b + 1, stepsPerEpoch,
                                     lastLoss, trainAccuracy))
                    lossSum = 0; correct = 0; seen = 0
                }
            }
            let accuracy = Self.accuracy(classifier, images: heldOutImages, labels: heldOutLabels)
            progress?(String(format: "epoch %d/%d: held-out accuracy %.4f (%d images)", epoch + 1, options.epochs, accuracy, heldOut))
            if epoch == options.epochs - 1 {
                return Result(classifier: classifier, heldOutAccuracy: accuracy, trainAccuracy: trainAccuracy, trainCount: trainCount,
                              heldOutCount: heldOut, finalLoss: lastLoss)
            }
        }
        preconditionFailure("ClassifierTraining: no epochs")
    }

    /// Mean cross-entropy of a batch of logits [B, K], the number of correct predictions, and
    /// dL/dlogits = (softmax - onehot) / B.
    static func crossEntropy(_ logits: Tensor, labels: [Int]) -> (loss: Double, correct: Int, gradient: Tensor) {
        let k = logits.shape[1], b = labels.count
        let p = SoftmaxKernel.forward(logits)
        let probabilities = p.pointer, predicted = FeatureClassifier.predictions(logits.scalars, numClasses: k)
        var loss = 0.0, correct = 0
        for i in 0..<b {
            loss -= Foundation.log(max(Double(probabilities[i * k + labels[i]]), 1e-30))
            if predicted[i] == labels[i] { correct += 1 }
            probabilities[i * k + labels[i]] -= 1
        }
        let scale = 1 / Float(b)
        for e in 0..<(b * k) { probabilities[e] *= scale }
        return (loss / Double(b), correct, p)
    }

    /// The share of `images` the classifier assigns to their label.
    public static func accuracy(_ classifier: FeatureClassifier, images: Tensor, labels: [Int]) -> Double {
        let logits = classifier.evaluate(images).logits
        let predicted = FeatureClassifier.predictions(logits, numClasses: classifier.config.numClasses)
        return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(max(1, labels.count))
    }

    /// Per-channel mean and standard deviation of the first `count` images.
    static func channelMoments(_ file: DatasetFile, count: Int) throws -> (mean: [Float], std: [Float]) {
        let x = try file.samples(Array(0..<count))
        let c = file.sampleShape[0], plane = file.sampleShape[1] * file.sampleShape[2]
        var sum = [Double](repeating: 0, count: c), squares = [Double](repeating: 0, count: c)
        let p = x.pointer
        for n in 0..<count {
            for ch in 0..<c {
                let base = (n * c + ch) * plane
                for e in 0..<plane { let v = Double(p[base + e]); sum[ch] += v; squares[ch] += v * v }
            }
        }
        let m = Double(count * plane)
        let mean = sum.map { $0 / m }
        let std = zip(squares, mean).map { max(1e-3, ($0 / m - $1 * $1).squareRoot()) }
        return (mean.map(Float.init), std.map(Float.init))
    }
}

extension ClassifierTraining {
    /// Trains, writes the classifier file and reports: held-out accuracy (and the accuracy on
    /// the labelled file `test`, if given).
    public static func run(_ options: ClassifierTrainingOptions, test: String? = nil, progress: ((String) -> Void)? = nil) throws -> EvaluationReport {
        let testFile = try test.map { path -> DatasetFile in
            let file = try DatasetFile(path: path)
            guard file.hasLabels, file.count > 0 else { throw SamplingError("--test \(path): the file has no labelled images (/labels)") }
            return file
        }
        let result = try train(options, progress: progress)
        try ClassifierFile.write(result.classifier, heldOutAccuracy: result.heldOutAccuracy, data: options.data, to: options.out)
        progress?("wrote \(options.out)")
        var metrics: [EvaluationReport.Metric] = [
            .init("train_images", Double(result.trainCount)), .init("held_out_images", Double(result.heldOutCount)),
            .init("final_loss", result.finalLoss, note: "cross-entropy, mean over the last report's steps"),
            .init("train_accuracy", result.trainAccuracy, note: "over the last report's steps"),
            .init("held_out_accuracy", result.heldOutAccuracy, note: "last \(result.heldOutCount) images of the file"),
        ]
        if let testFile, let path = test {
            try SampleQuality.checkShape(classifier: result.classifier.config, classifierPath: options.out, sampleShape: testFile.sampleShape, source: "--test \(path)")
            let labels = try testFile.labels(Array(0..<testFile.count))!.map { Int($0) }
            let accuracy = accuracy(result.classifier, images: try testFile.samples(Array(0..<testFile.count)), labels: labels)
            metrics.append(.init("test_accuracy", accuracy, note: "\(testFile.count) images of \(path)"))
        }
        return EvaluationReport(command: "train-classifier", source: options.out, data: options.data, metrics: metrics)
    }
}
