import Foundation
import HDF5
import NN
import Tensor

/// Reads and validates checkpoints written by `CheckpointWriter`.
public enum CheckpointReader {
    /// The root attributes, without the tensors (cheap; used to pick the newest checkpoint).
    public struct Metadata: Equatable {
        public var formatVersion: Int
        public var step: Int
        public var samplesSeen: Int
        public var worldSize: Int
        public var created: String
        public var config: String
        public var softwareVersion: String

        /// Whether the tensors carry checksums (format_version 2 on); older checkpoints load
        /// unverified, with `unverifiedWarning`.
        public var hasChecksums: Bool { formatVersion >= CheckpointWriter.checksummedFormatVersion }
    }

    /// What to tell the user about a checkpoint written before tensors carried checksums.
    public static func unverifiedWarning(_ path: String) -> String {
        "\(path): written before checkpoints carried checksums (format_version 1), so its tensors cannot be verified; a damaged weight would go unnoticed"
    }

    /// Opens `path` and checks that it is a Diffuse checkpoint of a version this build reads.
    static func open(_ path: String) throws -> (H5File, Metadata) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CheckpointError(path: path, "no such checkpoint file")
        }
        guard !isDirectory.boolValue else { throw CheckpointError(path: path, "is a directory, expected a checkpoint file (.h5)") }
        let file: H5File
        do {
            file = try H5File.open(path, readOnly: true)
        } catch {
            if !FileManager.default.fileExists(atPath: path) {
                // Deleted between the check above and the open (retention in a live run).
                throw CheckpointError(path: path, "no such checkpoint file (it was removed while being opened)")
            }
            throw CheckpointError(path: path, "not a readable HDF5 file (truncated or not HDF5): \(error)")
        }
        do {
            guard try file.hasAttribute("format"), try file.stringAttribute("format") == CheckpointWriter.format else {
                throw CheckpointError(path: path, "not a Diffuse checkpoint (the root attribute format is not \"\(CheckpointWriter.format)\")")
            }
            let version = Int(try file.attribute("format_version", as: Int64.self))
            guard version >= 1 && version <= CheckpointWriter.formatVersion else {
                throw CheckpointError(path: path, "checkpoint format_version \(version) is not supported (this build reads 1...\(CheckpointWriter.formatVersion))")
            }
            let m = Metadata(formatVersion: version,
                             step: Int(try file.attribute("step", as: Int64.self)),
                             samplesSeen: Int(try file.attribute("samples_seen", as: Int64.self)),
                             worldSize: Int(try file.attribute("world_size", as: Int64.self)),
                             created: try file.stringAttribute("created"),
                             config: try file.stringAttribute("config"),
                             softwareVersion: try file.stringAttribute("software_version"))
            return (file, m)
        } catch let e as CheckpointError {
            try? file.close()
            throw e
        } catch {
            try? file.close()
            throw CheckpointError(path: path, "damaged checkpoint: \(error)")
        }
    }

    /// Root attributes of the checkpoint at `path`.
    public static func metadata(_ path: String) throws -> Metadata {
        let (file, m) = try open(path)
        try? file.close()
        return m
    }

    /// Root attributes of the checkpoint at `path`, after reading every tensor (`/model`, `/ema`,
    /// `/optimizer/<moment>`) and checking it against its checksum: what `--resume auto` and
    /// sampling from a run folder ask of a checkpoint before choosing it. A checkpoint without
    /// checksums (format_version 1) passes unverified (`Metadata.hasChecksums` is false).
    @discardableResult
    public static func verify(_ path: String) throws -> Metadata {
        let (file, m) = try open(path)
        defer { try? file.close() }
        guard m.hasChecksums else { return m }
        do {
            for group in try tensorGroups(file) {
                for name in try group.memberNames() where try group.containsDataset(name) {
                    let dataset = try group.dataset(named: name)
                    let values = try dataset.read(as: Float.self)
                    try values.withUnsafeBufferPointer { try TensorChecksum.verify($0, against: dataset, file: path) }
                }
            }
        } catch let e as CheckpointError {
            throw e
        } catch {
            throw CheckpointError(path: path, "damaged checkpoint: \(error)")
        }
        return m
    }

    /// The groups that hold tensors: `/model`, `/ema` and each moment of `/optimizer`.
    public static func tensorGroups(_ file: H5File) throws -> [H5Group] {
        var groups: [H5Group] = []
        for name in ["model", "ema"] where try file.containsGroup(name) { groups.append(try file.group(named: name)) }
        if try file.containsGroup("optimizer") {
            let optimizer = try file.group(named: "optimizer")
            for name in try optimizer.memberNames() where try optimizer.containsGroup(name) {
                groups.append(try optimizer.group(named: name))
            }
        }
        return groups
    }

    /// The whole checkpoint at `path`, its `/model`, `/ema` and optimizer moments read into
    /// tensors with the names and shapes of `layout` (the model built from the config). A
    /// group that does not match gets one error listing every missing, unexpected and
    /// mis-shaped name; a tensor that does not match its checksum is refused by name.
    public static func read(_ path: String, layout: (names: [String], shapes: [[Int]])) throws -> CheckpointState {
        let (file, m) = try open(path)
        defer { try? file.close() }
        func tensors(_ group: H5Group) throws -> FlatTensors {
            let t = FlatTensors(zerosNamed: layout.names, shapes: layout.shapes)
            try WeightIO.load(into: t.named, from: group)
            if m.hasChecksums {
                for (name, tensor) in t.named {
                    try tensor.withUnsafeBufferPointer {
                        try TensorChecksum.verify($0, against: try group.dataset(named: name), file: path)
                    }
                }
            }
            return t
        }
        do {
            guard try file.containsGroup("model") else { throw CheckpointError(path: path, "the checkpoint has no /model group") }
            let model = try tensors(try file.group(named: "model"))
            let ema = try file.containsGroup("ema") ? try tensors(try file.group(named: "ema")) : nil
            var optimizer: OptimizerCheckpoint? = nil
            if try file.containsGroup("optimizer") {
                let g = try file.group(named: "optimizer")
                var hyper: [String: Double] = [:]
                for name in try g.attributeNames() where name != "kind" && name != "step" {
                    hyper[name] = try g.attribute(name, as: Double.self)
                }
                var moments: [String: FlatTensors] = [:]
                for name in try g.memberNames() where try g.containsGroup(name) {
                    moments[name] = try tensors(try g.group(named: name))
                }
                optimizer = OptimizerCheckpoint(kind: try g.stringAttribute("kind"),
                                                step: Int(try g.attribute("step", as: Int64.self)),
                                                hyperparameters: hyper, moments: moments)
            }
            guard try file.containsGroup("rng") else { throw CheckpointError(path: path, "the checkpoint has no /rng group") }
            let rng = try file.group(named: "rng")
            var data: [String: Int] = [:]
            if try file.containsGroup("data") {
                let g = try file.group(named: "data")
                for name in try g.attributeNames() { data[name] = Int(try g.attribute(name, as: Int64.self)) }
            }
            var train: [String: Double] = [:]
            if try file.containsGroup("train") {
                let g = try file.group(named: "train")
                for name in try g.attributeNames() { train[name] = try g.attribute(name, as: Double.self) }
            }
            var state = CheckpointState(step: m.step, samplesSeen: m.samplesSeen, worldSize: m.worldSize, config: m.config,
                                   softwareVersion: m.softwareVersion, created: m.created, model: model, ema: ema,
                                   optimizer: optimizer, rngSeed: try rng.attribute("seed", as: UInt64.self),
                                   data: data, train: train)
            state.formatVersion = m.formatVersion
            return state
        } catch let e as CheckpointError {
            throw e
        } catch let e as WeightLoadError {
            throw CheckpointError(path: path, e.description)
        } catch {
            throw CheckpointError(path: path, "damaged checkpoint: \(error)")
        }
    }
}
