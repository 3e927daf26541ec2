import Config
import Data
import Diffusion
import Foundation
import NN

/// The model of a config, as training builds it and sampling rebuilds it from a checkpoint:
/// the dataset, the backbone (UNet or MLP, wrapped with a learned schedule for VDM), the
/// noise schedule and the denoiser.
public enum ModelSetup {
    /// The schedule of `diffusion.schedule` with the parameters the config sets.
    public static func makeSchedule(_ config: TrainConfig) throws -> any NoiseSchedule {
        let d = config.diffusion
        var parameters: [String: Double] = [:]
        for (key, value) in [("alphaMin", d.alphaMin), ("sigmaMin", d.sigmaMin), ("sigmaMax", d.sigmaMax), ("rho", d.rho), ("gamma", d.gamma)] {
            if let value { parameters[key] = value }
        }
        do {
            return try Diffusion.makeSchedule(name: d.schedule.rawValue, parameters: parameters)
        } catch {
            throw TrainingError("diffusion: \(error)")
        }
    }

    /// The denoiser that samples what `diffusion.objective` trains over `backbone`:
    /// `denoiser`: `diffusion.denoiser`; `ddpm`: noise prediction over the continuous `ddpm`
    /// schedule (whose c_time = log(sigma/alpha) at t = (i - 1)/(T - 1) is the discrete step's
    /// conditioning); `vdm`: noise prediction over the learned schedule (c_in = 1 as alpha^2 + sigma^2 = 1,
    /// c_time = gamma / 2: the `VDMDenoiser` posterior mean).
    public static func makeDenoiser(_ config: TrainConfig, backbone: any Backbone) throws -> any BackboneDenoiser {
        if config.diffusion.objective == .vdm {
            guard let scheduled = backbone as? ScheduledBackbone else {
                throw TrainingError("diffusion.objective: vdm needs the ScheduledBackbone ModelSetup.makeBackbone builds")
            }
            return EpsilonDenoiser(backbone: scheduled.backbone, schedule: scheduled.schedule)
        }
        let schedule = try makeSchedule(config)
        if config.diffusion.objective == .ddpm {
            return EpsilonDenoiser(backbone: backbone, schedule: schedule)
        }
        switch config.diffusion.denoiser {
        case .simple: return SimpleDenoiser(backbone: backbone, schedule: schedule, maxWeight: config.diffusion.maxWeight)
        case .karras: return KarrasDenoiser(backbone: backbone, schedule: schedule)
        case .epsilon: return EpsilonDenoiser(backbone: backbone, schedule: schedule)
        case .velocity: return VelocityDenoiser(backbone: backbone, schedule: schedule)
        }
    }

    /// The built-in dataset or dataset file of `data.source`, checked against `data.image_size`.
    public static func makeDataset(_ config: TrainConfig) throws -> any Dataset {
        let d = config.data
        let dataset: any Dataset
        do {
            if config.dataSourceIsFile {
                guard FileManager.default.fileExists(atPath: d.source) else {
                    throw TrainingError("the dataset file '\(d.source)' does not exist (create one with diffuse-data import)")
                }
                dataset = try DatasetFile(path: d.source)
            } else {
                dataset = try BuiltinDatasets.make(d.source, count: d.count, seed: UInt64(d.seed))
            }
        } catch {
            throw TrainingError("data.source: \(error)")
        }
        let shape = dataset.sampleShape
        if shape.count == 3 && (shape[1] != d.imageSize || shape[2] != d.imageSize) {
            throw TrainingError("data.image_size: \(d.imageSize), but \(d.source) holds \(shape[1])x\(shape[2]) images (set data.image_size: \(shape[1]))")
        }
        if dataset.count < config.train.globalBatch {
            throw TrainingError("train.global_batch: \(config.train.globalBatch) is larger than \(d.source) (\(dataset.count) samples)")
        }
        return dataset
    }

    /// The UNet for images [C, H, W] or the MLP for vectors [D]; with `diffusion.objective: vdm`,
    /// wrapped with a learned schedule (seeded from `train.seed`) as a `ScheduledBackbone`.
    public static func makeBackbone(_ config: TrainConfig, sampleShape: [Int]) throws -> any Backbone {
        let backbone = try makePlainBackbone(config, sampleShape: sampleShape)
        guard config.diffusion.objective == .vdm else { return backbone }
        return ScheduledBackbone(backbone: backbone, schedule: LearnedSchedule(seed: UInt64(config.train.seed) &+ 1))
    }

    /// The `UNetConfig` of `model.unet` for images of `inChannels` channels.
    public static func unetConfig(_ config: TrainConfig, inChannels: Int) -> UNetConfig {
        let u = config.model.unet
        return UNetConfig(inChannels: inChannels, channelsPerDepth: u.channelsPerDepth, numBlocks: u.numBlocks,
                          attentionDepths: u.attentionDepths, posDim: u.posDim, embDim: u.embDim,
                          numGroups: u.numGroups, dropout: Float(u.dropout), numClasses: u.numClasses)
    }

    public static func makePlainBackbone(_ config: TrainConfig, sampleShape: [Int]) throws -> any Backbone {
        let seed = UInt64(config.train.seed)
        switch (config.model.kind, sampleShape.count) {
        case (.unet, 3):
            let unet = unetConfig(config, inChannels: sampleShape[0])
            do { try unet.validate(imageSize: (sampleShape[1], sampleShape[2])) } catch { throw TrainingError("model.unet: \(error)") }
            return UNet(unet, seed: seed)
        case (.mlp, 1):
            let m = config.model.mlp
            let mlp = MLPConfig(features: sampleShape[0], hiddenWidths: m.hiddenWidths, posDim: m.posDim, embDim: m.embDim)
            do { try mlp.validate() } catch { throw TrainingError("model.mlp: \(error)") }
            return MLP(mlp, seed: seed)
        default:
            let what = sampleShape.count == 3 ? "images \(sampleShape)" : "vectors \(sampleShape)"
            let want = sampleShape.count == 3 ? "unet" : "mlp"
            throw TrainingError("model.kind: '\(config.model.kind.rawValue)' cannot model \(config.data.source)'s \(what); use model.kind: \(want)")
        }
    }
}
