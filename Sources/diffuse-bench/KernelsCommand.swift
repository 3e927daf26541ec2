import ArgumentParser
import Foundation
import Tensor

/// `diffuse-bench kernels`: conv2d forward/backward GFLOP/s on the UNet shapes next to raw sgemm.
struct KernelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "conv2d forward and backward GFLOP/s on the UNets' convolution shapes, next to raw sgemm on the same GEMM shapes.")

    @Option(help: "UNet configuration: \(UNetConvShapes.Config.all.map(\.name).joined(separator: ", ")) or all.")
    var config: String = "all"

    @Option(help: "Minimum timed rounds per shape (the best round is reported).")
    var rounds: Int = 3

    @Option(help: "Keep timing a shape for at least this many seconds.")
    var minSeconds: Double = 0.5

    @Option(help: "Samples lowered into one GEMM (default: the kernel's heuristic; 1 = per sample).")
    var samplesPerGemm: Int?

    @Flag(help: ArgumentHelp(BenchOptions.cpuTimeHelp))
    var cpuTime = false

    @Option(help: ArgumentHelp(BenchOptions.threadsHelp))
    var threads: Int?


    func validate() throws {
        if config != "all" && !UNetConvShapes.Config.all.contains(where: { $0.name == config }) {
            throw ValidationError("unknown --config '\(config)'; expected one of \(UNetConvShapes.Config.all.map(\.name).joined(separator: ", ")) or all")
        }
        if rounds < 1 { throw ValidationError("--rounds must be at least 1, got \(rounds)") }
        if let s = samplesPerGemm, s < 1 { throw ValidationError("--samples-per-gemm must be at least 1, got \(s)") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1, got \(t)") }
    }

    func run() {
        if let threads { Gemm.setThreads(threads) } else { ThreadBudget.apply() }
        let configs = UNetConvShapes.Config.all.filter { config == "all" || $0.name == config }
        let bench = KernelBenchmark(options: .init(rounds: rounds, minSeconds: minSeconds, samplesPerGemm: samplesPerGemm, cpuTime: cpuTime))
        print("OpenBLAS threads \(Gemm.threads), element-wise threads \(Parallel.threads), samples per GEMM "
              + (samplesPerGemm.map(String.init) ?? "heuristic (target \(Conv2dKernel.targetColumns) columns)")
              + (cpuTime ? ", CPU-time clock" : ", wall clock"))
        for c in configs {
            print("load average before: \(systemLoadAverage())")
            _ = bench.run(c) { print($0) }
            print("load average after: \(systemLoadAverage())\n")
        }
    }
}
