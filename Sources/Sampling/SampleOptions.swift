import Config
import Diffusion
import Foundation

/// The request of `diffuse-sample`: which checkpoint and weights, which sampler with which
/// options, how many samples from which seed, and where the outputs go.
public struct SampleOptions: Sendable {
    /// A checkpoint file, or a run (or checkpoints) folder: its newest checkpoint that verifies (every tensor matches its checksum).
    public var checkpoint: String
    public var weights: WeightsChoice = .ema
    /// A `SamplerKind` name; nil: the checkpoint config's `sample.sampler`.
    public var sampler: String? = nil
    /// Sampler steps; nil: the checkpoint config's `sample.steps`.
    public var steps: Int? = nil
    public var eta: Double? = nil
    public var order: Int = 2
    public var temperature: Double = 1
    public var corrections: Int = 1
    public var delta: Double = 0.01
    /// `linear` (uniform in t) or `edm` (Karras et al. 2022 grid with rho = `rho`); nil: the
    /// checkpoint config's `sample.grid` (and `sample.rho`), as its training grids were drawn.
    public var grid: String? = nil
    public var rho: Double? = nil
    /// Replace the last step by the denoised mean; nil: the checkpoint config's
    /// `sample.finish_with_mean`.
    public var finishWithMean: Bool? = nil
    public var count: Int = 16
    public var seed: UInt64 = 0
    /// Samples per forward batch on each rank; nil: min(64, count / ranks rounded up).
    public var batch: Int? = nil
    /// PNG grid (images) or scatter plot (2-D points).
    public var out: String? = nil
    /// HDF5 file of all samples.
    public var h5: String? = nil
    /// HDF5 file whose `/initial` (or `/noise`) dataset holds x_{t_T} for each sample.
    public var initPath: String? = nil
    /// `.png` (a grid: one row per sample, one column per frame) or `.gif` (animated).
    public var trajectory: String? = nil
    /// Frames of the trajectory (intermediate states and the final sample).
    public var trajectoryFrames: Int = 10
    /// Samples shown in an image trajectory (2-D points show all).
    public var trajectorySamples: Int = 8
    /// Class-conditional checkpoints: every sample of this class (`--class`).
    public var classLabel: Int? = nil
    /// Class-conditional checkpoints: a grid with one row per class, `all` or a comma-separated
    /// list of classes (`--classes`); `count` is rounded up to fill the rows (`ClassLabels.grid`).
    public var classes: String? = nil
    /// Classifier-free guidance scale w (`GuidedDenoiser`: mean = uncond + w (cond - uncond));
    /// nil: the checkpoint config's `sample.guidance`.
    public var guidance: Double? = nil

    public init(checkpoint: String) { self.checkpoint = checkpoint }

    /// The time grid named by `grid` and `rho`, each defaulting to `config`'s (a checkpoint's
    /// `sample:` section).
    public func timeGrid(default config: SampleConfig = SampleConfig()) throws -> TimeGrid {
        let name = grid ?? config.grid.rawValue, rho = rho ?? config.rho
        let kind: TimeGridKind
        switch name.lowercased() {
        case "linear", "uniform": kind = .linear
        case "edm":
            guard rho > 0 else { throw SamplingError("--rho must be > 0, got \(rho)") }
            kind = .edm
        default: throw SamplingError("--grid '\(name)' is not one of linear, edm")
        }
        return kind.grid(rho: rho)
    }

    /// Checks the options that do not need the checkpoint.
    public func validate() throws {
        guard count >= 1 else { throw SamplingError("--count must be at least 1, got \(count)") }
        if let batch, batch < 1 { throw SamplingError("--batch must be at least 1, got \(batch)") }
        if let steps, steps < 1 { throw SamplingError("--steps must be at least 1, got \(steps)") }
        if let out, !out.lowercased().hasSuffix(".png") { throw SamplingError("--out \(out): expected a .png file name") }
        if let t = trajectory, !(t.lowercased().hasSuffix(".png") || t.lowercased().hasSuffix(".gif")) {
            throw SamplingError("--trajectory \(t): expected a .png or .gif file name")
        }
        guard trajectoryFrames >= 2 else { throw SamplingError("--trajectory-frames must be at least 2, got \(trajectoryFrames)") }
        guard trajectorySamples >= 1 else { throw SamplingError("--trajectory-samples must be at least 1, got \(trajectorySamples)") }
        _ = try timeGrid()
        if classLabel != nil && classes != nil { throw SamplingError("--class and --classes exclude each other: give one") }
        if guidance != nil && classLabel == nil && classes == nil {
            throw SamplingError("--guidance needs --class N or --classes all (guidance steers samples towards a class)")
        }
        if let guidance, !guidance.isFinite { throw SamplingError("--guidance must be a finite number, got \(guidance)") }
    }

    /// The class of every sample, for a model of `numClasses` classes (0: unconditional), and
    /// the grid's columns (one row per class with `classes`); nil without `--class`/`--classes`.
    public func sampleLabels(numClasses: Int, checkpoint: String) throws -> (labels: [Int], columns: Int?)? {
        guard classLabel != nil || classes != nil else { return nil }
        let flag = classLabel != nil ? "--class" : "--classes"
        guard numClasses > 0 else {
            throw SamplingError("\(flag): \(checkpoint) is an unconditional model (its model.unet.num_classes is 0); sample it without \(flag) and --guidance")
        }
        func checked(_ y: Int) throws -> Int {
            guard (0..<numClasses).contains(y) else {
                throw SamplingError("\(flag): class \(y) is out of range: the model has \(numClasses) classes, 0...\(numClasses - 1)")
            }
            return y
        }
        if let classLabel { return (Array(repeating: try checked(classLabel), count: count), nil) }
        let text = classes!.trimmingCharacters(in: .whitespaces)
        let list: [Int]
        if text.lowercased() == "all" {
            list = Array(0..<numClasses)
        } else {
            list = try text.split(separator: ",").map {
                guard let y = Int($0.trimmingCharacters(in: .whitespaces)) else {
                    throw SamplingError("--classes '\(text)': expected all or a comma-separated list of classes such as 0,3,7")
                }
                return try checked(y)
            }
            if list.isEmpty { throw SamplingError("--classes: expected all or a comma-separated list of classes") }
        }
        let grid = ClassLabels.grid(count: count, classes: list)
        return (grid.labels, grid.columns)
    }
}
