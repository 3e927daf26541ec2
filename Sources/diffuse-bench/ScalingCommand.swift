import ArgumentParser
import Benchmarks
import Distributed
import Foundation
import Tensor
import Training

/// `diffuse-bench scaling`: measures one rank's compute per sample and backward share for each
/// UNet configuration on this machine, then predicts the step time, exposed communication and
/// efficiency at larger rank counts with `ScalingModel`, for a given ring bandwidth and latency
/// (measure those with `diffuse-mpi-check --bench-allreduce`, see docs/scaling.md).
struct ScalingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scaling",
        abstract: "Predicted data-parallel efficiency at N ranks from measured compute and a ring's bandwidth and latency.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Link bandwidth of the ring, Gbit/s.") var gbit: Double = 10
    @Option(help: "Per-hop latency of the ring, microseconds.") var latencyUs: Double = 50
    @Option(help: "Comma-separated rank counts to predict.") var ranks: String = "2,4,8,64,512"
    @Option(help: "Samples per rank per step (weak scaling); default the configuration's batch.") var perRankBatch: Int?
    @OptionGroup var buckets: BucketOptions
    @Option(help: "Skip the measurement: compute per sample in ms (with --backward-share and --gradient-mb), e.g. measured on a cluster's node.")
    var computeMsPerSample: Double?
    @Option(help: "With --compute-ms-per-sample: the share of compute spent in backward, 0...1.") var backwardShare: Double?
    @Option(help: "With --compute-ms-per-sample: gradient size in MB (4 bytes per parameter).") var gradientMb: Double?

    func validate() throws {
        if gbit <= 0 { throw ValidationError("--gbit must be positive, got \(gbit)") }
        if latencyUs < 0 { throw ValidationError("--latency-us must be at least 0, got \(latencyUs)") }
        if rankCounts.isEmpty || rankCounts.contains(where: { $0 < 1 }) { throw ValidationError("--ranks must be positive integers, e.g. 2,8,64, got '\(ranks)'") }
        if let b = perRankBatch, b < 1 { throw ValidationError("--per-rank-batch must be at least 1, got \(b)") }
        let given = [computeMsPerSample, backwardShare, gradientMb].filter { $0 != nil }.count
        if given != 0 && given != 3 {
            throw ValidationError("--compute-ms-per-sample, --backward-share and --gradient-mb go together (all three, or none to measure)")
        }
        if let c = computeMsPerSample, c <= 0 { throw ValidationError("--compute-ms-per-sample must be positive, got \(c)") }
        if let b = backwardShare, !(0...1).contains(b) { throw ValidationError("--backward-share must be in [0, 1], got \(b)") }
        if let g = gradientMb, g <= 0 { throw ValidationError("--gradient-mb must be positive, got \(g)") }
        if computeMsPerSample != nil && perRankBatch == nil { throw ValidationError("--compute-ms-per-sample needs --per-rank-batch") }
    }

    var rankCounts: [Int] { ranks.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() throws {
        ThreadBudget.apply()
        print(String(format: "ring: %.3g Gbit/s, %.3g us per hop; buckets %.3g MB first, %.3g MB after; CPU %@",
                     gbit, latencyUs, buckets.firstBucketMb, buckets.bucketMb, CPUFeatures.summary))
        if let c = computeMsPerSample, let b = backwardShare, let g = gradientMb, let batch = perRankBatch {
            printTable("given", model(computePerSample: c * 1e-3, backwardShare: b, gradientBytes: g * 1e6), batch: Double(batch))
            return
        }
        let bench = TrainBenchmark(steps: options.steps, warmup: options.warmup, cpuTime: options.cpuTime)
        for config in options.configs {
            let measured = try bench.run(config, train: true, forward: true)
            guard let train = measured.trainStepSeconds, let forward = measured.forwardStepSeconds else { continue }
            // The step's forward is measured alone; backward + optimizer is the rest.
            let m = model(computePerSample: train / Double(config.batch), backwardShare: max(0, min(1, 1 - forward / train)),
                          gradientBytes: 4 * Double(measured.params))
            printTable("\(config.name): \(measured.params) parameters,", m, batch: Double(perRankBatch ?? config.batch))
        }
    }

    func model(computePerSample: Double, backwardShare: Double, gradientBytes: Double) -> ScalingModel {
        ScalingModel(computeSecondsPerSample: computePerSample, backwardShare: backwardShare, gradientBytes: gradientBytes,
                     bandwidthBytesPerSecond: gbit * 1e9 / 8, latencySeconds: latencyUs * 1e-6,
                     firstBucketBytes: Double(buckets.firstBucketBytes), bucketBytes: Double(buckets.bucketBytes))
    }

    func printTable(_ title: String, _ model: ScalingModel, batch: Double) {
        print(String(format: "%@ %.1f MB of gradient, %.1f ms per sample, backward share %.2f, %.0f samples per rank",
                     title, model.gradientBytes / 1e6, model.computeSecondsPerSample * 1e3, model.backwardShare, batch))
        print("| ranks | compute (ms) | allreduce (ms) | exposed (ms) | step (ms) | overlap | efficiency |")
        print("|---|---|---|---|---|---|---|")
        for n in rankCounts {
            let p = model.predict(ranks: n, perRankBatch: batch)
            print(String(format: "| %d | %.0f | %.1f | %.1f | %.0f | %.0f%% | %.1f%% |", n, p.computeSeconds * 1e3,
                         p.allreduceSeconds * 1e3, p.exposedSeconds * 1e3, p.stepSeconds * 1e3, 100 * p.overlap, 100 * p.efficiency))
        }
    }
}
