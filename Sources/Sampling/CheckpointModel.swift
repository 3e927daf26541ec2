import Checkpoint
import Config
import Diffusion
import Foundation
import HDF5
import NN
import Tensor
import Yams

/// A model rebuilt from a checkpoint: its own stored config (root attribute `config`) gives
/// the backbone, schedule and denoiser (`ModelSetup`, as in training), and the chosen
/// weights group is loaded into the backbone by dotted name after checking every name and shape.
public struct CheckpointModel {
    public let path: String
    public let metadata: CheckpointReader.Metadata
    public let config: TrainConfig
    public let backbone: any Backbone
    public let denoiser: any BackboneDenoiser
    /// One data sample: [C, H, W] images or [D] vectors.
    public let sampleShape: [Int]
    public let weights: WeightsChoice
    /// What the user should be told: newer checkpoints of a run folder that did not verify
    /// and were passed over, or that this checkpoint predates checksums.
    public let warnings: [String]

    public var schedule: any NoiseSchedule { denoiser.schedule }

    /// K of a class-conditional UNet (its `numClasses`); 0 for unconditional models.
    public var numClasses: Int {
        (((backbone as? ScheduledBackbone)?.backbone ?? backbone) as? UNet)?.config.numClasses ?? 0
    }

    /// Opens `path` (a checkpoint file, or a run folder or checkpoints folder: its newest
    /// checkpoint that validates) and loads `weights` into a model built from the stored config.
    /// Every failure is a `CheckpointError` naming the file and what was expected.
    public init(path: String, weights: WeightsChoice = .ema) throws {
        let (file, skipped) = try CheckpointModel.resolve(path)
        let (metadata, config, shape) = try CheckpointModel.describe(file)
        let backbone: any Backbone, denoiser: any BackboneDenoiser
        do {
            backbone = try ModelSetup.makeBackbone(config, sampleShape: shape)
            denoiser = try ModelSetup.makeDenoiser(config, backbone: backbone)
        } catch {
            throw CheckpointError(path: file, "its stored config does not build a model: \(error)")
        }
        let named = backbone.namedParameters
        let layout = (names: named.map(\.name), shapes: named.map { $0.variable.value.shape })
        let state = try CheckpointReader.read(file, layout: layout)
        let chosen: FlatTensors
        switch weights {
        case .model: chosen = state.model
        case .ema:
            guard let ema = state.ema else {
                throw CheckpointError(path: file, "the checkpoint has no /ema group; sample with --weights model")
            }
            chosen = ema
        }
        for ((_, variable), (_, tensor)) in zip(named, chosen.named) { variable.value.assign(tensor) }
        self.path = file
        self.metadata = metadata
        self.config = config
        self.backbone = backbone
        self.denoiser = denoiser
        self.sampleShape = shape
        self.weights = weights
        var warnings = skipped.map { "skipping a checkpoint that does not verify: \($0)" }
        if !skipped.isEmpty { warnings.append("using \(file) (step \(metadata.step)), the newest checkpoint that verifies") }
        if !metadata.hasChecksums { warnings.append(CheckpointReader.unverifiedWarning(file)) }
        self.warnings = warnings
    }

    /// A checkpoint file's metadata, stored config and data shape, without loading weights.
    static func describe(_ file: String) throws -> (metadata: CheckpointReader.Metadata, config: TrainConfig, sampleShape: [Int]) {
        let metadata = try CheckpointReader.metadata(file)
        let config = try CheckpointModel.storedConfig(metadata.config, path: file)
        let shape: [Int]
        do {
            shape = try ModelSetup.makeDataset(config).sampleShape
        } catch {
            // The dataset file of the run may be elsewhere: the weights tell the data shape.
            shape = try CheckpointModel.sampleShapeFromWeights(file, config: config)
        }
        return (metadata, config, shape)
    }

    /// What a checkpoint file holds, read without its weights: its stored config, data shape
    /// and number of classes (0: unconditional).
    public static func preview(_ file: String) throws -> (config: TrainConfig, sampleShape: [Int], numClasses: Int) {
        let (_, config, shape) = try describe(file)
        return (config, shape, config.model.kind == .unet ? config.model.unet.numClasses : 0)
    }

    /// A checkpoint file as given, or the newest checkpoint that verifies of a run folder
    /// (`<run>/checkpoints/step-*.h5`) or of a checkpoints folder, with the newer ones passed
    /// over and why.
    public static func resolve(_ path: String) throws -> (path: String, skipped: [String]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CheckpointError(path: path, "no such checkpoint file or run folder")
        }
        guard isDirectory.boolValue else { return (path, []) }
        let nested = (path as NSString).appendingPathComponent("checkpoints")
        var nestedIsDirectory: ObjCBool = false
        let folder = FileManager.default.fileExists(atPath: nested, isDirectory: &nestedIsDirectory) && nestedIsDirectory.boolValue
            ? nested : path
        let directory = CheckpointDirectory(path: folder)
        let search = directory.newestVerified()
        guard let newest = search.newest else {
            throw CheckpointError(path: path, search.skipped.isEmpty
                ? "the folder holds no checkpoint (expected step-NNNNNNNN.h5 files in \(folder))"
                : "none of the \(search.skipped.count) checkpoint(s) in \(folder) verifies: \(search.skipped.joined(separator: "; "))")
        }
        return (newest.path, search.skipped)
    }

    /// The checkpoint's config: validated as at training time, except that the run's dataset
    /// file need not exist where the checkpoint is used.
    static func storedConfig(_ yaml: String, path: String) throws -> TrainConfig {
        do {
            return try ConfigLoader.load(yaml: yaml, source: "\(path) (config attribute)").config
        } catch let e as ConfigError where e.problems.allSatisfy({ $0.hasPrefix("data.source:") }) {
            do {
                return try YAMLDecoder().decode(TrainConfig.self, from: yaml)
            } catch {
                throw CheckpointError(path: path, "the stored config cannot be decoded: \(error)")
            }
        } catch let e as ConfigError {
            throw CheckpointError(path: path, "the stored config is not valid: \(e.problems.joined(separator: "; "))")
        }
    }

    /// The sample shape read off the stored weights: the UNet's `input_conv.weight`
    /// [C0, C, 3, 3] gives [C, S, S] with S = `data.image_size`; the MLP's `out.weight` [D, W] gives [D].
    static func sampleShapeFromWeights(_ path: String, config: TrainConfig) throws -> [Int] {
        let (name, axis) = config.model.kind == .mlp ? ("out.weight", 0) : ("input_conv.weight", 1)
        do {
            let file = try H5File.open(path, readOnly: true)
            defer { try? file.close() }
            let shape = try file.group(named: "model").dataset(named: name).shape
            guard shape.count > axis else { throw CheckpointError(path: path, "/model/\(name) has shape \(shape)") }
            let size = config.data.imageSize
            return config.model.kind == .mlp ? [shape[axis]] : [shape[axis], size, size]
        } catch let e as CheckpointError {
            throw e
        } catch {
            throw CheckpointError(path: path, "cannot tell the data shape: the dataset '\(config.data.source)' is not available and /model/\(name) cannot be read (\(error))")
        }
    }
}
