import Config
import Data
import Diffusion
import Foundation
import NN
import Tensor

/// Builds what a config trains: the dataset, the backbone and the diffusion objective.
public enum TrainingSetup {
    public static func components(_ config: TrainConfig) throws -> TrainingComponents {
        let dataset = try makeDataset(config)
        let model = try makeBackbone(config, sampleShape: dataset.sampleShape)
        let denoiser = try makeDenoiser(config, backbone: model)
        let objective: any TrainingObjective
        switch config.diffusion.objective {
        case .ddpm: objective = DDPMObjective(ddpm: try discreteDDPM(config))
        case .vdm: objective = VDMObjective()
        case .denoiser: objective = DiffusionObjective(denoiser: denoiser, sampling: noiseLevels(config))
        }
        let numClasses = config.model.kind == .unet ? config.model.unet.numClasses : 0
        let classLabels = numClasses > 0
            ? try ClassLabels(numClasses: numClasses, dropout: config.train.labelDropout, rng: CounterRNG(seed: UInt64(config.train.seed)),
                              dataset: dataset, source: "data.source \(config.data.source)")
            : nil
        var components = TrainingComponents(model: model, dataset: dataset, objective: objective,
                                            drawSamples: try makeSampleDrawer(config, denoiser: denoiser, sampleShape: dataset.sampleShape),
                                            classLabels: classLabels)
        if config.eval.every > 0 {
            components.qualityEvaluator = try SampleQualityEvaluator.make(config, denoiser: denoiser, dataset: dataset)
        }
        return components
    }

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

    /// The discrete-time DDPM of `diffusion.objective: ddpm`, with the betas of the `ddpm` schedule.
    static func discreteDDPM(_ config: TrainConfig) throws -> DiscreteDDPM {
        guard let ddpm = try makeSchedule(config) as? DDPMSchedule else {
            throw TrainingError("diffusion.schedule: '\(config.diffusion.schedule.rawValue)' with diffusion.objective: ddpm; set schedule: ddpm")
        }
        return DiscreteDDPM(betaStart: ddpm.betaStart, betaEnd: ddpm.betaEnd, steps: ddpm.steps)
    }

    /// The denoiser that samples what `diffusion.objective` trains over `backbone`:
    /// `denoiser`: `diffusion.denoiser`; `ddpm`: noise prediction over the continuous `ddpm`
    /// schedule (whose c_time = log(sigma/alpha) at t = (i - 1)/(T - 1) is the discrete step's
    /// conditioning); `vdm`: noise prediction over the learned schedule (c_in = 1 as alpha^2 + sigma^2 = 1,
    /// c_time = gamma / 2: the `VDMDenoiser` posterior mean).
    public static func makeDenoiser(_ config: TrainConfig, backbone: any Backbone) throws -> any BackboneDenoiser {
        if config.diffusion.objective == .vdm {
            guard let scheduled = backbone as? ScheduledBackbone else {
                throw TrainingError("diffusion.objective: vdm needs the ScheduledBackbone TrainingSetup.makeBackbone builds")
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

    /// `diffusion.noise_levels`.
    public static func noiseLevels(_ config: TrainConfig) -> NoiseLevelSampling {
        switch config.diffusion.noiseLevels {
        case .lognormal: return .logNormal(pMean: config.diffusion.pMean, pStd: config.diffusion.pStd)
        case .stratified: return .stratified
        case .antithetic: return .antithetic
        case .uniform: return .uniform
        }
    }

    /// Images of a training grid drawn together: the sampler asks whether to stop before each
    /// step of each group, so a stop signal waits for one step on at most this many images
    /// (seconds, even for the largest shipped model), not for one step on the whole grid.
    static let gridImagesPerGroup = 16
    /// The same for 2-D points (cheap per sample).
    static let gridPointsPerGroup = 256

    /// Draws `count` samples with `sample.sampler` (seeded by `train.seed`, so every grid of a
    /// run starts from the same noise and shows the model's progress). Images are drawn in
    /// groups of `gridImagesPerGroup` (points: `gridPointsPerGroup`); the noise is keyed by
    /// global sample index, so the groups draw what one batch would. Rank r of R draws groups
    /// [G r / R, G (r + 1) / R) of the G (`SampleRun.share`) and returns those samples only: the
    /// ranks' shares in rank order are the grid, and each group is computed as one process
    /// computes it, so the grid does not depend on R. Nil as soon as `shouldStop` answers true.
    /// A class-conditional model (`model.unet.num_classes` K > 0) draws one row per class
    /// (`ClassLabels.grid`: count rounded up to K rows), guided with `sample.guidance`.
    /// `steps`, `guidance` (nil: the `sample:` section's) and `classes` (the class of each of
    /// `count` samples; nil: one grid row per class) serve the samples of `eval.every`.
    static func makeSampleDrawer(_ config: TrainConfig, denoiser: any BackboneDenoiser,
                                 sampleShape: [Int], steps: Int? = nil, guidance: Double? = nil,
                                 classes: ((_ count: Int, _ numClasses: Int) -> [Int])? = nil) throws -> TrainingComponents.SampleDrawer {
        let grid: TimeGrid = config.sample.grid == .edm ? .edm(rho: config.sample.rho) : .uniform
        let options = SamplerOptions(settings: SamplingSettings(steps: steps ?? config.sample.steps, grid: grid, denoiseFinal: config.sample.finishWithMean,
                                                                seed: UInt64(config.train.seed)))
        let sampler: any Sampler
        do {
            sampler = try makeSampler(name: config.sample.sampler.rawValue, denoiser: denoiser, options: options)
        } catch {
            throw TrainingError("sample.sampler: \(error)")
        }
        let perSample = sampleShape.reduce(1, *)
        let numClasses = config.model.kind == .unet ? config.model.unet.numClasses : 0, guidance = guidance ?? config.sample.guidance
        return { _, requested, share, shouldStop in
            let labels = numClasses > 0
                ? (classes?(requested, numClasses) ?? ClassLabels.grid(count: requested, numClasses: numClasses).labels) : nil
            let count = labels?.count ?? requested
            let group = sampleShape.count == 3 ? gridImagesPerGroup : gridPointsPerGroup
            let rows = SampleRun.share(count: count, batch: group, rank: share.rank, size: share.size)
            let samples = Tensor(uninitialized: [rows.count] + sampleShape)
            for first in stride(from: rows.lowerBound, to: rows.upperBound, by: group) {
                let n = min(group, rows.upperBound - first)
                let x = sampler.initial(shape: [n] + sampleShape, firstSample: first)
                var groupSampler = sampler
                if let labels {
                    let guided = GuidedDenoiser(base: denoiser, labels: Array(labels[first..<(first + n)]), noLabel: numClasses,
                                                guidance: guidance)
                    groupSampler = try makeSampler(name: config.sample.sampler.rawValue, denoiser: guided, options: options)
                }
                guard let y = groupSampler(x, firstSample: first, progress: nil, shouldStop: shouldStop) else { return nil }
                (samples.pointer + (first - rows.lowerBound) * perSample).update(from: y.pointer, count: n * perSample)
            }
            return samples
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
    static func unetConfig(_ config: TrainConfig, inChannels: Int) -> UNetConfig {
        let u = config.model.unet
        return UNetConfig(inChannels: inChannels, channelsPerDepth: u.channelsPerDepth, numBlocks: u.numBlocks,
                          attentionDepths: u.attentionDepths, posDim: u.posDim, embDim: u.embDim,
                          numGroups: u.numGroups, dropout: Float(u.dropout), numClasses: u.numClasses)
    }

    static func makePlainBackbone(_ config: TrainConfig, sampleShape: [Int]) throws -> any Backbone {
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
