import Data
import Foundation
import Sampling
import Tensor

/// The data a model is evaluated on: a dataset file (its first `count` samples) or a built-in
/// dataset drawn from `seed` (fresh points, when the seed differs from the run's `data.seed`).
public struct EvaluationData {
    public let description: String
    public let samples: Tensor
    /// -log2 of the scale from stored values to model values (log2 127.5 for 8-bit images
    /// mapped to [-1, 1]; 0 for vectors used as stored), added to bits per dimension so they
    /// count in the stored units (the change of variables x = scale u + shift).
    public let bitsOffset: Double

    public init(source: String, count: Int, seed: UInt64, sampleShape: [Int]) throws {
        guard count >= 1 else { throw SamplingError("--count must be at least 1, got \(count)") }
        let dataset: any Dataset
        var scale: Float = 1
        if FileManager.default.fileExists(atPath: source) {
            let file = try DatasetFile(path: source)
            dataset = file
            scale = file.scaling.scale
            description = source
        } else if BuiltinDatasets.names.contains(source) {
            dataset = try BuiltinDatasets.make(source, count: count, seed: seed)
            // Built-in images count in 8-bit units, as `diffuse-data builtin` writes them.
            if dataset is ShapesDataset { scale = 2 / 255 }
            description = "builtin \(source) (seed \(seed))"
        } else {
            throw SamplingError("--data \(source): no such dataset file, and not a built-in dataset (\(BuiltinDatasets.names.joined(separator: ", ")))")
        }
        guard dataset.sampleShape == sampleShape else {
            throw SamplingError("--data \(source): samples of shape \(dataset.sampleShape), but the model makes \(sampleShape)")
        }
        let n = min(count, dataset.count)
        guard n >= 1 else { throw SamplingError("--data \(source): the dataset is empty") }
        samples = try dataset.samples(Array(0..<n))
        bitsOffset = scale == 1 ? 0 : -Foundation.log2(Double(scale))
    }
}
