import Config
import Data
import Diffusion
import Foundation
import NN
import Sampling
import Tensor

/// Builds what the trainer needs from a config: the model of `ModelSetup` (dataset, backbone,
/// denoiser) with the training objective, the sample-grid drawer, class labels and evaluator.
public enum TrainingSetup {
    public static func components(_ config: TrainConfig) throws -> TrainingComponents {
        let dataset = try ModelSetup.makeDataset(config)
        let model = try ModelSetup.makeBackbone(config, sampleShape: dataset.sampleShape)
        let denoiser = try ModelSetup.makeDenoiser(config, backbone: model)
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

    /// The discrete-time DDPM of `diffusion.objective: ddpm`, with the betas of the `ddpm` schedule.
    static func discreteDDPM(_ config: TrainConfig) throws -> DiscreteDDPM {
        guard let ddpm = try ModelSetup.makeSchedule(config) as? DDPMSchedule else {
            throw TrainingError("diffusion.schedule: '\(config.diffusion.schedule.rawValue)' with diffusion.objective: ddpm; set schedule: ddpm")
        }
        return DiscreteDDPM(betaStart: ddpm.betaStart, betaEnd: ddpm.betaEnd, steps: ddpm.steps)
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
        let grid = config.sample.grid.grid(rho: config.sample.rho)
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
}
