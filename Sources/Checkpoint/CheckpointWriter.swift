import Foundation
import HDF5
import NN
import Tensor

/// Writes checkpoints atomically: the file is written under a temporary name in the same
/// folder (`step-00001000.h5.partial`), fsynced, renamed to `step-00001000.h5`, and the folder
/// is fsynced, so a reader or a resume sees either the complete new file or none. A write
/// that fails removes its temporary file and never touches an existing checkpoint.
public struct CheckpointWriter {
    public static let format = "diffuse.checkpoint"
    /// 1: the layout of DESIGN.md; 2: every tensor dataset also carries its `TensorChecksum`.
    public static let formatVersion = 2
    /// The first format version whose tensors carry checksums.
    public static let checksummedFormatVersion = 2
    public static let partialSuffix = ".partial"

    /// The checkpoints folder (created if needed).
    public var directory: String
    /// Fault injection for tests: runs once the temporary file is complete and synced, just
    /// before the rename. Throwing simulates a crash or a failed rename at that point.
    /// Defaults to `CheckpointTestHook.fromEnvironment()` (nil unless a fault script sets it).
    public var beforeRename: ((_ temporaryPath: String) throws -> Void)?

    public init(directory: String, beforeRename: ((String) throws -> Void)? = nil) {
        self.directory = directory
        self.beforeRename = beforeRename ?? CheckpointTestHook.fromEnvironment()
    }

    /// `step-00001000.h5`.
    public static func fileName(step: Int) -> String { String(format: "step-%08d.h5", step) }

    /// Writes `state` and returns the final path.
    @discardableResult
    public func write(_ state: CheckpointState) throws -> String {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CheckpointError(path: directory, "cannot create the checkpoints folder: \(error.localizedDescription)")
        }
        let final = (directory as NSString).appendingPathComponent(Self.fileName(step: state.step))
        let temporary = final + Self.partialSuffix
        do {
            try? FileManager.default.removeItem(atPath: temporary)
            // Built in memory and written here: a full disk fails our write() cleanly, where
            // HDF5 failing to flush at close would leave the library to crash at exit.
            let file = try H5File.createInMemory(temporary)
            let bytes: [UInt8]
            do {
                try Self.store(state, in: file)
                bytes = try file.image()
                try file.close()
            } catch {
                try? file.close()
                throw error
            }
            try AtomicFile.writeSynced(bytes, to: temporary)
            try beforeRename?(temporary)
            try AtomicFile.moveIntoPlace(temporary, final)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            if let e = error as? CheckpointError { throw e }
            if let e = error as? AtomicFileError { throw CheckpointError(path: e.path, e.message) }
            throw CheckpointError(path: temporary, "writing the checkpoint failed (older checkpoints are untouched): \(error)")
        }
        do {
            try AtomicFile.fsync(path: directory, directory: true)
        } catch let e as AtomicFileError {
            throw CheckpointError(path: e.path, e.message)
        }
        return final
    }

    static func store(_ state: CheckpointState, in file: H5File) throws {
        try file.setAttribute("format", Self.format)
        try file.setAttribute("format_version", Int64(Self.formatVersion))
        try file.setAttribute("step", Int64(state.step))
        try file.setAttribute("samples_seen", Int64(state.samplesSeen))
        try file.setAttribute("world_size", Int64(state.worldSize))
        let created = state.created.isEmpty ? ISO8601DateFormatter().string(from: Date()) : state.created
        try file.setAttribute("created", created)
        try file.setAttribute("config", state.config)
        try file.setAttribute("software_version", state.softwareVersion)

        let model = try file.createGroup("model")
        try storeTensors(state.model, in: model)
        let ema = try state.ema.map { e -> H5Group in let g = try file.createGroup("ema"); try storeTensors(e, in: g); return g }
        if let unet = state.unetConfig {
            try file.setAttribute("unet_config", unet)
            try model.setAttribute("unet_config", unet)
            try ema?.setAttribute("unet_config", unet)
        }
        if let o = state.optimizer {
            let g = try file.createGroup("optimizer")
            try g.setAttribute("kind", o.kind)
            try g.setAttribute("step", Int64(o.step))
            for (k, v) in o.hyperparameters.sorted(by: { $0.key < $1.key }) { try g.setAttribute(k, v) }
            for (k, m) in o.moments.sorted(by: { $0.key < $1.key }) { try storeTensors(m, in: try g.createGroup(k)) }
        }
        let rng = try file.createGroup("rng")
        try rng.setAttribute("generator", "philox4x32-10")
        try rng.setAttribute("seed", state.rngSeed)
        let data = try file.createGroup("data")
        for (k, v) in state.data.sorted(by: { $0.key < $1.key }) { try data.setAttribute(k, Int64(v)) }
        let train = try file.createGroup("train")
        for (k, v) in state.train.sorted(by: { $0.key < $1.key }) { try train.setAttribute(k, v) }
    }

    /// One float32 dataset per tensor, named by its dotted name (as `WeightIO.save`), with its
    /// `TensorChecksum` attribute.
    static func storeTensors(_ t: FlatTensors, in group: H5Group) throws {
        for (name, tensor) in t.named {
            try tensor.withUnsafeBufferPointer { values in
                let dataset = try group.createDataset(name, from: values, shape: tensor.shape)
                try TensorChecksum.store(values, on: dataset)
            }
        }
    }
}
