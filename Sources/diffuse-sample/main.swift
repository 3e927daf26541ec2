import ArgumentParser
import Config
import Distributed
import Foundation
import Sampling
import Tensor

/// `diffuse-sample --checkpoint PATH --sampler NAME --count N --seed S --out grid.png`:
/// argument parsing over `SampleRun` (see its documentation for what is written).
struct DiffuseSample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diffuse-sample",
        abstract: "Draw samples from a Diffuse checkpoint (also under mpirun -np N: ranks split the count).")

    @Option(help: "A checkpoint file, or a run folder (its newest checkpoint that verifies).")
    var checkpoint: String
    @Option(help: "Weights to sample with: ema or model.")
    var weights: String = "ema"
    @Option(help: "Sampler: ddpm, ddim, euler, heun, ito, zab, vab, zeab, xeab, reab, pc (default: the checkpoint config's sample.sampler).")
    var sampler: String?
    @Option(help: "Sampler steps (default: the checkpoint config's sample.steps).")
    var steps: Int?
    @Option(help: "DDIM stochasticity (0 deterministic, 1 DDPM) or Ito's SDE stochasticity.")
    var eta: Double?
    @Option(help: "Order of the multistep samplers (zab, vab, zeab, xeab, reab).")
    var order: Int = 2
    @Option(help: "Ito: temperature dividing the score term (azula 0.11).")
    var temperature: Double = 1
    @Option(help: "PC: corrector steps per step.")
    var corrections: Int = 1
    @Option(help: "PC: corrector amplitude in [0, 1].")
    var delta: Double = 0.01
    @Option(help: "Time grid: linear or edm (default: the checkpoint config's sample.grid).")
    var grid: String?
    @Option(help: "rho of the edm grid (default: the checkpoint config's sample.rho).")
    var rho: Double?
    @Flag(inversion: .prefixedNo, help: "Replace the last step by the denoised mean (default: the checkpoint config's sample.finish_with_mean).")
    var finishWithMean: Bool?
    @Option(help: "Number of samples.")
    var count: Int = 16
    @Option(help: "Seed of the initial noise and of the sampler's noise.")
    var seed: UInt64 = 0
    @Option(help: "Samples per batch (default min(64, count / ranks)); the same --batch gives the same output on any number of ranks, another batch size the same up to float rounding.")
    var batch: Int?
    @Option(help: "PNG grid of the samples (2-D points: a scatter plot).")
    var out: String?
    @Option(help: "HDF5 file of all samples (/samples, /initial, attributes).")
    var h5: String?
    @Option(name: .customLong("init"), help: "HDF5 file whose /initial (or /noise) dataset holds each sample's starting point.")
    var initPath: String?
    @Option(help: "Denoising trajectory as a PNG grid (.png) or animated GIF (.gif).")
    var trajectory: String?
    @Option(help: "Frames of the trajectory.")
    var trajectoryFrames: Int = 10
    @Option(help: "Samples shown in an image trajectory.")
    var trajectorySamples: Int = 8
    @Option(name: .customLong("class"), help: "Class-conditional checkpoints: draw every sample of this class (0..<num_classes).")
    var classLabel: Int?
    @Option(help: "Class-conditional checkpoints: a grid with one row per class, 'all' or a list such as 0,3,7 (--count is rounded up to fill the rows).")
    var classes: String?
    @Option(help: "Classifier-free guidance scale w with --class/--classes: mean = uncond + w (cond - uncond); 0 unconditional, 1 conditional (default: the checkpoint config's sample.guidance).")
    var guidance: Double?

    @Option(help: "fp32, or bf16: convolutions and matrix products with bf16 operands and fp32 accumulation (oneDNN, on CPUs with avx512_bf16 or amx_bf16; elsewhere fp32, with a notice).")
    var precision: Precision = .fp32

    func run() throws {
        ThreadBudget.apply()
        let communicator: any Communicator
        do {
            communicator = try makeDefaultCommunicator()
        } catch {
            fail(error)
        }
        do {
            guard let choice = WeightsChoice(rawValue: weights.lowercased()) else {
                throw SamplingError("--weights '\(weights)' is not one of ema, model")
            }
            guard out != nil || h5 != nil || trajectory != nil else {
                throw SamplingError("nothing to write: give --out grid.png, --h5 samples.h5 and/or --trajectory traj.gif")
            }
            try MixedPrecision.activate(precision) { notice in
                if communicator.rank == 0 { FileHandle.standardError.write(Data("diffuse-sample: \(notice)\n".utf8)) }
            }
            var o = SampleOptions(checkpoint: checkpoint)
            o.weights = choice
            o.sampler = sampler
            o.steps = steps
            o.eta = eta
            o.order = order
            o.temperature = temperature
            o.corrections = corrections
            o.delta = delta
            o.grid = grid
            o.rho = rho
            o.finishWithMean = finishWithMean
            o.count = count
            o.seed = seed
            o.batch = batch
            o.out = out
            o.h5 = h5
            o.initPath = initPath
            o.trajectory = trajectory
            o.trajectoryFrames = trajectoryFrames
            o.trajectorySamples = trajectorySamples
            o.classLabel = classLabel
            o.classes = classes
            o.guidance = guidance
            let result = try SampleRun.run(o, communicator: communicator)
            if communicator.rank == 0 {
                print(String(format: "%d samples from %@ with %@ (%d steps), seed %llu, %.1f images/s per rank; wrote %@",
                             result.samples?.shape.first ?? count, result.checkpointPath, result.sampler, result.steps, seed, result.imagesPerSecond,
                             result.written.joined(separator: ", ")))
                fflush(stdout)
            }
            try communicator.finalize()
        } catch {
            fail(error)
        }
    }

    func fail(_ error: Error) -> Never {
        FileHandle.standardError.write(Data("diffuse-sample: error: \(ErrorParagraph.text(error))\n".utf8))
        Foundation.exit(1)
    }
}

extension Precision: ExpressibleByArgument {}

DiffuseSample.main()
