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
    @Option(help: "First bucket, MB (distributed.first_bucket_mb).") var firstBucketMb: Double = 1
    @Option(help: "Bucket size, MB (distributed.bucket_mb).") var bucketMb: Double = 25

    func validate() throws {
        if gbit <= 0 { throw ValidationError("--gbit must be positive, got \(gbit)") }
        if latencyUs < 0 { throw ValidationError("--latency-us must be at least 0, got \(latencyUs)") }
        if rankCounts.isEmpty || rankCounts.contains(where: { $0 < 1 }) { throw ValidationError("--ranks must be positive integers, e.g. 2,8,64, got '\(ranks)'") }
        if let b = perRankBatch, b < 1 { throw ValidationError("--per-rank-batch must be at least 1, got \(b)") }
        if firstBucketMb <= 0 || bucketMb <= 0 { throw ValidationError("bucket sizes must be positive") }
    }

    var rankCounts: [Int] { ranks.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() throws {
        ThreadBudget.apply()
        let bench = TrainBenchmark(steps: options.steps, warmup: options.warmup, cpuTime: options.cpuTime)
        print(String(format: "ring: %.3g Gbit/s, %.3g us per hop; buckets %.3g MB first, %.3g MB after; CPU %@",
                     gbit, latencyUs, firstBucketMb, bucketMb, CPUFeatures.summary))
        for config in options.configs {
            let measured = try bench.run(config, train: true, forward: true)
            guard let train = measured.trainStepSeconds, let forward = measured.forwardStepSeconds else { continue }
            let batch = Double(perRankBatch ?? config.batch)
            let model = ScalingModel(
                computeSecondsPerSample: train / Double(config.batch),
                // The step's forward is measured alone; backward + optimizer is the rest.
                backwardShare: max(0, min(1, 1 - forward / train)),
                gradientBytes: 4 * Double(measured.params),
                bandwidthBytesPerSecond: gbit * 1e9 / 8, latencySeconds: latencyUs * 1e-6,
                firstBucketBytes: firstBucketMb * 1_048_576, bucketBytes: bucketMb * 1_048_576)
            print(String(format: "%@: %d parameters (%.1f MB of gradient), %.1f ms per sample measured, backward share %.2f, %.0f samples per rank",
                         config.name, measured.params, model.gradientBytes / 1e6, model.computeSecondsPerSample * 1e3, model.backwardShare, batch))
            print("| ranks | compute (ms) | allreduce (ms) | exposed (ms) | step (ms) | overlap | efficiency |")
            print("|---|---|---|---|---|---|---|")
            for n in rankCounts {
                let p = model.predict(ranks: n, perRankBatch: batch)
                print(String(format: "| %d | %.0f | %.1f | %.1f | %.0f | %.0f%% | %.1f%% |", n, p.computeSeconds * 1e3,
                             p.allreduceSeconds * 1e3, p.exposedSeconds * 1e3, p.stepSeconds * 1e3, 100 * p.overlap, 100 * p.efficiency))
            }
        }
    }
}
