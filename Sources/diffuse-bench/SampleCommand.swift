import ArgumentParser
import Benchmarks
import Training

/// `diffuse-bench sample`: forward-only (sampling) img/s of the benchmark UNets.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Forward-only (sampling) img/s, GFLOP/s, fraction of the sgemm rate and peak RSS.")

    @OptionGroup var options: BenchOptions

    func run() throws {
        try options.run(TrainBenchmark(steps: options.steps, warmup: options.warmup, cpuTime: options.cpuTime), train: false, forward: true)
    }
}
