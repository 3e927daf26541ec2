import Foundation
import HDF5
import Sampling
import Tensor

/// `diffuse-eval quality`: how close generated samples are to data.
/// - 2-D points: the sliced Wasserstein distance and the MMD (Gaussian kernel, median
///   bandwidth) between the samples and fresh data, each next to the same metric between two
///   independent draws of data of the same size (the noise floor of the estimate).
/// - Images: k-NN precision and recall in pixel space and per-pixel mean and std errors.
/// The samples come from a `diffuse-sample --h5` file or are drawn from a checkpoint.
public struct QualityOptions: Sendable {
    /// Draw `sampling.count` samples with these options (outputs ignored), unless `samples` is given.
    public var sampling: SampleOptions?
    /// A `diffuse-sample --h5` file (its `/samples`).
    public var samples: String?
    /// A dataset file or a built-in dataset name.
    public var data: String
    public var dataSeed: UInt64 = 1
    public var k: Int = 3
    public var directions: Int = 128

    public init(data: String, sampling: SampleOptions? = nil, samples: String? = nil) {
        self.data = data
        self.sampling = sampling
        self.samples = samples
    }
}

public enum QualityEvaluation {
    public static func run(_ options: QualityOptions) throws -> EvaluationReport {
        let generated: Tensor, source: String
        if let path = options.samples {
            generated = try readSamples(path)
            source = path
        } else if var sampling = options.sampling {
            sampling.out = nil; sampling.h5 = nil; sampling.trajectory = nil
            let result = try SampleRun.run(sampling, reporter: { total, batches in
                ThroughputReporter(total: total, batches: batches, isTerminal: false) { _ in }
            })
            generated = result.samples!
            source = result.checkpointPath
        } else {
            throw SamplingError("quality needs --samples FILE.h5 or --checkpoint PATH")
        }
        let n = generated.shape[0], shape = Array(generated.shape.dropFirst())
        let data = try EvaluationData(source: options.data, count: n, seed: options.dataSeed, sampleShape: shape)
        var metrics: [EvaluationReport.Metric] = [.init("samples", Double(n)), .init("data_samples", Double(data.samples.shape[0]))]
        if shape.count == 1 {
            let sw = SlicedWasserstein.distance(generated, data.samples, directions: options.directions)
            let mmd = MaximumMeanDiscrepancy.squared(generated, data.samples)
            metrics.append(.init("sliced_wasserstein", sw, note: "\(options.directions) directions"))
            metrics.append(.init("mmd2", mmd.mmd2, note: String(format: "Gaussian kernel, bandwidth %.4g", mmd.bandwidth)))
            if !FileManager.default.fileExists(atPath: options.data) {
                let other = try EvaluationData(source: options.data, count: n, seed: options.dataSeed &+ 1, sampleShape: shape)
                metrics.append(.init("sliced_wasserstein_data_vs_data", SlicedWasserstein.distance(other.samples, data.samples, directions: options.directions),
                                     note: "two fresh draws of the data: the floor"))
                metrics.append(.init("mmd2_data_vs_data", MaximumMeanDiscrepancy.squared(other.samples, data.samples, bandwidth: mmd.bandwidth).mmd2))
            }
        } else {
            guard n > options.k, data.samples.shape[0] > options.k else {
                throw SamplingError("quality: need more than k = \(options.k) samples and data samples, got \(n) and \(data.samples.shape[0])")
            }
            let pr = NearestNeighbourPrecisionRecall.evaluate(real: data.samples, generated: generated, k: options.k)
            let px = PixelStatistics.errors(generated: generated, data: data.samples)
            metrics.append(.init("precision", pr.precision, note: "k = \(options.k) nearest neighbours in pixel space"))
            metrics.append(.init("recall", pr.recall, note: "k = \(options.k) nearest neighbours in pixel space"))
            metrics.append(.init("pixel_mean_error", px.meanError, note: "mean |mean_gen - mean_data| per pixel"))
            metrics.append(.init("pixel_std_error", px.stdError, note: "mean |std_gen - std_data| per pixel"))
        }
        return EvaluationReport(command: "quality", source: source, data: data.description, metrics: metrics)
    }

    /// `/samples` of a `diffuse-sample --h5` file.
    public static func readSamples(_ path: String) throws -> Tensor {
        guard FileManager.default.fileExists(atPath: path) else { throw SamplingError("--samples \(path): no such file") }
        do {
            let file = try H5File.open(path, readOnly: true)
            defer { try? file.close() }
            guard try file.containsDataset("samples") else {
                throw SamplingError("--samples \(path): no /samples dataset (write one with diffuse-sample --h5)")
            }
            let d = try file.dataset(named: "samples")
            guard d.shape.count >= 2, d.shape[0] >= 2 else { throw SamplingError("--samples \(path): /samples has shape \(d.shape), expected [N, ...] with N >= 2") }
            return Tensor(shape: d.shape, values: try d.read(as: Float.self))
        } catch let e as SamplingError {
            throw e
        } catch {
            throw SamplingError("--samples \(path): not a readable HDF5 file: \(error)")
        }
    }
}
