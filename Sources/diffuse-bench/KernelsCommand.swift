import ArgumentParser
import Benchmarks
import Foundation
import Tensor

/// `diffuse-bench kernels`: every convolution algorithm's time on the UNets' shapes and the
/// autotuner's choice (or, with `--sgemm`, conv GFLOP/s next to raw sgemm on the same GEMMs).
struct KernelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Each convolution algorithm's time for every pass of the UNets' convolutions, and the choice the autotuner makes.",
        discussion: "The choice is what DIFFUSE_KERNELS=auto (the default) makes on first use of a shape; the rule is the fixed choice of earlier versions. With --sgemm: the kernels' GFLOP/s next to raw sgemm on the same GEMM shapes.")

    @Option(help: "UNet configuration: \(TrainBenchmark.Config.all.map(\.name).joined(separator: ", ")) or all.")
    var config: String = "all"

    @Option(help: "Minimum timed rounds per shape (the best round is reported).")
    var rounds: Int = 3

    @Option(help: "With --sgemm: keep timing a shape for at least this many seconds.")
    var minSeconds: Double = 0.5

    @Option(help: "With --sgemm: samples lowered into one GEMM (default: the kernel's heuristic; 1 = per sample).")
    var samplesPerGemm: Int?

    @Flag(help: "Compare the default kernels with raw sgemm on the equivalent GEMM shapes instead.")
    var sgemm = false

    @Flag(help: ArgumentHelp(BenchOptions.cpuTimeHelp))
    var cpuTime = false

    @Option(help: ArgumentHelp(BenchOptions.threadsHelp))
    var threads: Int?

    @Option(help: ArgumentHelp(BenchOptions.precisionHelp + " In bf16 the candidates are oneDNN's bf16 primitives."))
    var precision: Precision = .fp32

    func validate() throws {
        if config != "all" && !TrainBenchmark.Config.all.contains(where: { $0.name == config }) {
            throw ValidationError("unknown --config '\(config)'; expected one of \(TrainBenchmark.Config.all.map(\.name).joined(separator: ", ")) or all")
        }
        if rounds < 1 { throw ValidationError("--rounds must be at least 1, got \(rounds)") }
        if let s = samplesPerGemm, s < 1 { throw ValidationError("--samples-per-gemm must be at least 1, got \(s)") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1, got \(t)") }
    }

    func run() throws {
        if let threads { Gemm.setThreads(threads) } else { ThreadBudget.apply() }
        let mode = try activate(precision)
        let configs = TrainBenchmark.Config.all.filter { config == "all" || $0.name == config }
        print("CPU \(CPUFeatures.summary), SIMD kernels \(CPUFeatures.simd); OpenBLAS threads \(Gemm.threads), element-wise threads \(Parallel.threads), oneDNN \(OneDNNConv.version), precision \(mode.rawValue)")
        for c in configs {
            print("load average before: \(systemLoadAverage())")
            if sgemm {
                let bench = KernelBenchmark(options: .init(rounds: rounds, minSeconds: minSeconds, samplesPerGemm: samplesPerGemm, cpuTime: cpuTime))
                print("samples per GEMM " + (samplesPerGemm.map(String.init) ?? "heuristic (target \(Conv2dKernel.targetColumns) columns)")
                      + (cpuTime ? ", CPU-time clock" : ", wall clock"))
                _ = bench.run(c) { print($0) }
            } else {
                KernelChoiceBenchmark(rounds: rounds).run(c) { print($0) }
            }
            print("load average after: \(systemLoadAverage())\n")
        }
    }
}
