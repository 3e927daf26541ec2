import Foundation
import HDF5
import Tensor

/// The HDF5 file of `diffuse-sample --h5`: dataset `/samples` (float32, N x C x H x W or
/// N x D, values in the model's range), dataset `/initial` (the x_{t_T} each sample started
/// from, so `--init` reproduces a run exactly), and root attributes naming the checkpoint,
/// weights, sampler, steps and seed (`format = "diffuse.samples"`).
public enum SampleFile {
    public static let format = "diffuse.samples"

    /// Writes the file under a temporary name in the same folder and renames it into place,
    /// so an existing file is replaced only by a complete one.
    public static func write(path: String, samples: Tensor, initial: Tensor?, attributes: [String: String],
                             integerAttributes: [String: Int64]) throws {
        try AtomicOutput.write(to: path) { temporary in
            let file = try H5File.create(temporary)
            do {
                try file.setAttribute("format", format)
                for (k, v) in attributes.sorted(by: { $0.key < $1.key }) { try file.setAttribute(k, v) }
                for (k, v) in integerAttributes.sorted(by: { $0.key < $1.key }) { try file.setAttribute(k, v) }
                _ = try samples.withUnsafeBufferPointer { try file.createDataset("samples", from: $0, shape: samples.shape) }
                if let initial {
                    _ = try initial.withUnsafeBufferPointer { try file.createDataset("initial", from: $0, shape: initial.shape) }
                }
                try file.close()
            } catch {
                try? file.close()
                throw error
            }
        }
    }

    /// Rows `rows` of the initial states stored in `path`: dataset `/initial` (as written by
    /// `write`) or `/noise`, of shape [N] + `sampleShape` with N >= `count`.
    public static func readInitial(path: String, count: Int, sampleShape: [Int], rows: Range<Int>) throws -> Tensor {
        guard FileManager.default.fileExists(atPath: path) else { throw SamplingError("--init \(path): no such file") }
        do {
            let file = try H5File.open(path, readOnly: true)
            defer { try? file.close() }
            guard let name = try ["initial", "noise"].first(where: { try file.containsDataset($0) }) else {
                throw SamplingError("--init \(path): no /initial or /noise dataset (expected float32 [N, \(sampleShape.map(String.init).joined(separator: ", "))] holding x at the start time)")
            }
            let d = try file.dataset(named: name)
            guard d.shape.count == sampleShape.count + 1, Array(d.shape.dropFirst()) == sampleShape, d.shape[0] >= count else {
                throw SamplingError("--init \(path): /\(name) has shape \(d.shape), expected [N] + \(sampleShape) with N >= --count \(count)")
            }
            let values = rows.isEmpty ? [] : try d.readRows(rows, as: Float.self)
            return Tensor(shape: [rows.count] + sampleShape, values: values)
        } catch let e as SamplingError {
            throw e
        } catch {
            throw SamplingError("--init \(path): not a readable HDF5 file: \(error)")
        }
    }
}
