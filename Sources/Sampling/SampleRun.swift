import Data
import Diffusion
import Distributed
import Foundation
import Tensor

/// What a sampling job produced; the tensors are on rank 0 only (nil elsewhere).
public struct SampleResult {
    /// [count] + sample shape.
    public var samples: Tensor?
    /// The x_{t_T} each sample started from.
    public var initial: Tensor?
    /// Trajectory frames, each [trajectory samples] + sample shape (intermediate states scaled
    /// by 1 / sqrt(alpha_t^2 + sigma_t^2), then the final samples).
    public var trajectory: [Tensor]?
    public var checkpointPath: String
    public var sampler: String
    public var steps: Int
    /// Images per second on this rank.
    public var imagesPerSecond: Double
    /// Files written (rank 0).
    public var written: [String]
    /// The class of each sample (class-conditional sampling with `--class`/`--classes`).
    public var labels: [Int]? = nil
    /// Columns of the PNG grid: one row per class with `--classes`; nil: about square.
    public var columns: Int? = nil
}

/// `diffuse-sample`: loads a checkpoint, draws `count` samples with the chosen sampler, and
/// writes the grid, the HDF5 file and the trajectory.
///
/// Sample k starts from x_{t_T} drawn with (seed, purpose .sampling, sample k) (or row k of
/// `--init`) and its sampler noise is keyed by (seed, step, k), so what a sample becomes does
/// not depend on the batch it runs in, up to float rounding: the matrix products of the
/// backbone may round differently for batches of different sizes (differences of about 1e-6).
/// The global batches are fixed, samples [bB, (b + 1)B) for batch size B, and rank r of R
/// runs batches [nb r / R, nb (r + 1) / R) of the nb, so with the same `--batch` the output
/// under `mpirun -np R` is bit for bit that of one rank (the default batch, min(64, count / R),
/// depends on R); rank 0 gathers the samples in order.
///
/// A class-conditional checkpoint samples the class of `--class`, or one grid row per class
/// with `--classes`, through a `GuidedDenoiser` (classifier-free guidance with scale
/// `--guidance`, default the config's `sample.guidance`); the labels, like the noise, belong
/// to the global sample index, so the output still does not depend on the number of ranks.
public enum SampleRun {
    /// The samples rank `rank` of `size` draws: whole global batches of `batch` samples.
    public static func share(count: Int, batch: Int, rank: Int, size: Int) -> Range<Int> {
        let batches = (count + batch - 1) / batch
        let first = batches * rank / size, last = batches * (rank + 1) / size
        return min(count, first * batch)..<min(count, last * batch)
    }

    public static func run(_ options: SampleOptions, communicator: any Communicator = SingleProcessCommunicator(),
                           reporter makeReporter: ((_ total: Int, _ batches: Int) -> ThroughputReporter)? = nil) throws -> SampleResult {
        try options.validate()
        let model = try CheckpointModel(path: options.checkpoint, weights: options.weights)
        if communicator.rank == 0 {
            for w in model.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        }
        let shape = model.sampleShape
        let isVector = shape.count == 1
        let labelling = try options.sampleLabels(numClasses: model.numClasses, checkpoint: model.path)
        let labels = labelling?.labels
        let count = labels?.count ?? options.count
        let guidance = options.guidance ?? model.config.sample.guidance
        if options.out != nil, !isVector, ![1, 3].contains(shape[0]) {
            throw SamplingError("--out: images with \(shape[0]) channels cannot be drawn as a PNG grid (1 or 3 channels)")
        }
        let samplerName = options.sampler ?? model.config.sample.sampler.rawValue
        let steps = options.steps ?? model.config.sample.steps
        let samplerOptions = SamplerOptions(
            settings: SamplingSettings(steps: max(1, steps), grid: try options.timeGrid(default: model.config.sample),
                                       denoiseFinal: options.finishWithMean ?? model.config.sample.finishWithMean,
                                       seed: options.seed),
            eta: options.eta, temperature: options.temperature, order: options.order,
            corrections: options.corrections, delta: options.delta)
        func sampler(_ denoiser: any Denoiser) throws -> any Sampler {
            do {
                return try makeSampler(name: samplerName, denoiser: denoiser, options: samplerOptions)
            } catch {
                throw SamplingError("--sampler: \(error)")
            }
        }
        let main = try sampler(model.denoiser)

        // By default every rank gets work: at most 64 per batch, at most an even share.
        let batch = options.batch ?? min(64, (count + communicator.size - 1) / communicator.size)
        let local = share(count: count, batch: batch, rank: communicator.rank, size: communicator.size)
        let initial = try options.initPath.map {
            try SampleFile.readInitial(path: $0, count: count, sampleShape: shape, rows: local)
        }
        let trajectoryCount = options.trajectory == nil ? 0 : (isVector ? count : min(count, options.trajectorySamples))
        let frameSteps = TrajectoryRecorder.frameSteps(steps: samplerOptions.settings.steps, frames: options.trajectoryFrames - 1)
        let frameTimes = frameSteps.map { main.timesteps[$0] }

        let per = shape.reduce(1, *)
        var localSamples = [Float](), localInitial = [Float]()
        localSamples.reserveCapacity(local.count * per)
        localInitial.reserveCapacity(local.count * per)
        var localFrames = Array(repeating: [Float](), count: frameTimes.count)
        let batches = (local.count + batch - 1) / batch
        var reporter: ThroughputReporter? = nil
        if communicator.rank == 0 {
            // mpirun hands rank 0 a pseudo-terminal even when its output goes to a file: lines then.
            let terminal = isatty(STDOUT_FILENO) != 0 && !MPILaunch.isLaunchedByMPI()
            reporter = makeReporter?(local.count, batches) ?? ThroughputReporter(
                total: local.count, batches: batches, isTerminal: terminal,
                scope: communicator.size > 1 ? " on rank 0 of \(communicator.size)" : "")
        }
        let started = Date()
        for (b, start) in stride(from: local.lowerBound, to: local.upperBound, by: batch).enumerated() {
            let rows = start..<min(local.upperBound, start + batch)
            let x: Tensor
            if let initial {
                x = initial.slice((rows.lowerBound - local.lowerBound)..<(rows.upperBound - local.lowerBound)).copy()
            } else {
                x = main.initial(shape: [rows.count] + shape, firstSample: rows.lowerBound)
            }
            localInitial += x.scalars
            let denoiser: any Denoiser = labels.map {
                GuidedDenoiser(base: model.denoiser, labels: Array($0[rows]), noLabel: model.numClasses, guidance: guidance)
            } ?? model.denoiser
            let y: Tensor
            if rows.lowerBound < trajectoryCount {
                let recorder = TrajectoryRecorder(denoiser, times: frameTimes)
                let recording = try sampler(recorder)
                y = recording.callAsFunction(x, firstSample: rows.lowerBound, progress: nil)
                let keep = min(rows.count, trajectoryCount - rows.lowerBound)
                var previous = x
                for (k, t) in frameTimes.enumerated() {
                    let state = recorder.states[k] ?? previous
                    previous = state
                    let (alpha, sigma) = model.schedule(t)
                    let scale = Float(1 / (alpha * alpha + sigma * sigma).squareRoot())
                    localFrames[k] += state.slice(0..<keep).scalars.map { $0 * scale }
                }
            } else {
                let batchSampler = labels == nil ? main : try sampler(denoiser)
                y = batchSampler.callAsFunction(x, firstSample: rows.lowerBound, progress: nil)
            }
            localSamples += y.scalars
            reporter?.report(done: rows.upperBound - local.lowerBound, batch: b + 1)
        }
        let elapsed = Date().timeIntervalSince(started)
        let rate = elapsed > 0 ? Double(local.count) / elapsed : 0

        // Rank 0 gathers everything in global sample order.
        let gatheredSamples = try communicator.gather(localSamples, root: 0)
        let gatheredInitial = try communicator.gather(localInitial, root: 0)
        var gatheredFrames: [[[Float]]] = []
        for frame in localFrames { gatheredFrames.append(try communicator.gather(frame, root: 0)) }
        var result = SampleResult(samples: nil, initial: nil, trajectory: nil, checkpointPath: model.path,
                                  sampler: samplerName.lowercased(), steps: steps, imagesPerSecond: rate, written: [],
                                  labels: labels, columns: labelling?.columns)
        guard communicator.rank == 0 else { return result }
        let samples = Tensor(shape: [count] + shape, values: gatheredSamples.flatMap { $0 })
        let start = Tensor(shape: [count] + shape, values: gatheredInitial.flatMap { $0 })
        result.samples = samples
        result.initial = start
        if trajectoryCount > 0 {
            var frames = gatheredFrames.map { Tensor(shape: [trajectoryCount] + shape, values: $0.flatMap { $0 }) }
            frames.append(samples.slice(0..<trajectoryCount).copy())
            result.trajectory = frames
        }
        result.written = try SampleOutputs.write(result, options: options, model: model)
        return result
    }
}
