import ArgumentParser
import Benchmarks
import Training

/// `diffuse-bench train`: training img/s of torch_reference.py's step (Karras denoiser, VP
/// schedule, Adam, dropout 0) on the benchmark UNets.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training img/s, GFLOP/s, fraction of the sgemm rate and peak RSS (the step of bench/torch_reference.py).")

    @OptionGroup var options: BenchOptions

    func run() throws {
        try options.run(TrainBenchmark(steps: options.steps, warmup: options.warmup, cpuTime: options.cpuTime), train: true, forward: false)
    }
}
