import Checkpoint
import Foundation
import HDF5
import NN
import Sampling
import Tensor

/// A trained `FeatureClassifier` as one HDF5 file, readable by h5py as it is. Root attributes:
/// `format = "diffuse.classifier"`, `format_version` (1), `config` (the
/// `FeatureClassifierConfig` as JSON: architecture and input normalisation), `held_out_accuracy`,
/// `data` (the training file), `created`, `software_version`. Group `/weights`: one float32
/// dataset per parameter, named by its dotted name, each with the `crc32` attribute of
/// checkpoints (`TensorChecksum`), checked on load so that a damaged file is refused.
public enum ClassifierFile {
    public static let format = "diffuse.classifier"
    public static let formatVersion: Int64 = 1

    /// Writes the classifier atomically (temporary name, then rename).
    public static func write(_ classifier: FeatureClassifier, heldOutAccuracy: Double, data: String, to path: String) throws {
        let json = String(decoding: try JSONEncoder().encode(classifier.config), as: UTF8.self)
        try AtomicOutput.write(to: path) { temporary in
            let file = try H5File.create(temporary)
            defer { try? file.close() }
            try file.setAttribute("format", format)
            try file.setAttribute("format_version", formatVersion)
            try file.setAttribute("config", json)
            try file.setAttribute("held_out_accuracy", heldOutAccuracy)
            try file.setAttribute("data", data)
            try file.setAttribute("created", ISO8601DateFormatter().string(from: Date()))
            try file.setAttribute("software_version", DiffuseVersion.string)
            let weights = try file.createGroup("weights")
            for (name, variable) in classifier.namedParameters {
                let t = variable.value.copy()
                try t.withUnsafeBufferPointer { values in
                    try weights.createDataset(name, from: values, shape: t.shape)
                    try weights.dataset(named: name).setAttribute(TensorChecksum.attribute, TensorChecksum.crc32(values))
                }
            }
            try file.flush()
        }
    }

    /// Reads a classifier file: checks its format, rebuilds the network from the stored config,
    /// loads every weight by name and shape and verifies its checksum. Every failure is a
    /// `SamplingError` naming the file and the problem.
    public static func read(_ path: String) throws -> (classifier: FeatureClassifier, heldOutAccuracy: Double) {
        guard FileManager.default.fileExists(atPath: path) else { throw SamplingError("classifier \(path): no such file (train one with diffuse-eval train-classifier)") }
        let file: H5File
        do { file = try H5File.open(path, readOnly: true) } catch {
            throw SamplingError("classifier \(path): not a readable HDF5 file (truncated or not HDF5)")
        }
        defer { try? file.close() }
        do {
            guard try file.hasAttribute("format"), try file.stringAttribute("format") == format else {
                throw SamplingError("classifier \(path): not a classifier file (root attribute format is not '\(format)'; train one with diffuse-eval train-classifier)")
            }
            let version = try file.attribute("format_version", as: Int64.self)
            guard version == formatVersion else { throw SamplingError("classifier \(path): format_version \(version), this program reads \(formatVersion)") }
            let config: FeatureClassifierConfig
            do {
                config = try JSONDecoder().decode(FeatureClassifierConfig.self, from: Data(try file.stringAttribute("config").utf8))
            } catch {
                throw SamplingError("classifier \(path): its config attribute is not a classifier description: \(error)")
            }
            if let problem = config.problems() { throw SamplingError("classifier \(path): its config is invalid: \(problem)") }
            let classifier = FeatureClassifier(config)
            guard try file.containsGroup("weights") else { throw SamplingError("classifier \(path): no /weights group") }
            let weights = try file.group(named: "weights")
            do { try classifier.load(from: weights) } catch { throw SamplingError("classifier \(path): \(error)") }
            for (name, variable) in classifier.namedParameters {
                let dataset = try weights.dataset(named: name)
                guard try dataset.hasAttribute(TensorChecksum.attribute) else {
                    throw SamplingError("classifier \(path): tensor /weights/\(name) has no \(TensorChecksum.attribute) checksum; the file is damaged")
                }
                let stored = try dataset.attribute(TensorChecksum.attribute, as: UInt32.self)
                let computed = TensorChecksum.crc32(variable.value)
                guard stored == computed else {
                    throw SamplingError(String(format: "classifier %@: tensor /weights/%@ is damaged: its values have CRC-32 0x%08x, the stored checksum is 0x%08x",
                                               path, name, computed, stored))
                }
            }
            let accuracy = (try? file.attribute("held_out_accuracy", as: Double.self)) ?? .nan
            return (classifier, accuracy)
        } catch let e as SamplingError {
            throw e
        } catch {
            throw SamplingError("classifier \(path): cannot read: \(error)")
        }
    }
}
