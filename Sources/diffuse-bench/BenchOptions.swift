import ArgumentParser
import Benchmarks
import Foundation
import Tensor
import Training

/// Options shared by `train`, `sample` and `allreduce`.
struct BenchOptions: ParsableArguments {
    /// Help of `--threads` and `--cpu-time`, shared with `diffuse-bench kernels`.
    static let threadsHelp = "OpenBLAS threads. Default 1, with large GEMMs split over the element-wise workers (DIFFUSE_THREADS, else the cores shared among this node's ranks); above 1, OpenBLAS threads each GEMM itself."
    static let cpuTimeHelp = "Time with the process CPU clock instead of the wall clock (robust on a shared machine; use with --threads 1 and DIFFUSE_THREADS=1)."
    static let precisionHelp = "fp32, or bf16: convolutions and matrix products with bf16 operands and fp32 accumulation (oneDNN, on CPUs with avx512_bf16 or amx_bf16; elsewhere fp32, with a notice). DIFFUSE_BF16=emulate emulates bf16 on any CPU (numerics only: not its speed)."

    @Option(help: "Configuration: \(TrainBenchmark.Config.all.map(\.name).joined(separator: ", ")) or all.")
    var config: String = "all"

    @Option(help: "Timed steps per configuration (the median is reported).")
    var steps: Int = 10

    @Option(help: "Untimed warm-up steps.")
    var warmup: Int = 2

    @Option(help: ArgumentHelp(BenchOptions.threadsHelp))
    var threads: Int?

    @Flag(help: ArgumentHelp(BenchOptions.cpuTimeHelp))
    var cpuTime = false

    @Flag(help: "Print only the JSON lines.")
    var json = false

    @Option(help: ArgumentHelp(BenchOptions.precisionHelp))
    var precision: Precision = .fp32

    func validate() throws {
        if config != "all" && TrainBenchmark.Config.named(config) == nil {
            throw ValidationError("unknown --config '\(config)'; expected one of \(TrainBenchmark.Config.all.map(\.name).joined(separator: ", ")) or all")
        }
        if steps < 1 { throw ValidationError("--steps must be at least 1, got \(steps)") }
        if warmup < 0 { throw ValidationError("--warmup must be at least 0, got \(warmup)") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1, got \(t)") }
    }

    var configs: [TrainBenchmark.Config] { TrainBenchmark.Config.all.filter { config == "all" || $0.name == config } }

    /// Runs the benchmark on every selected configuration, printing a summary (unless --json)
    /// and one JSON line each; only rank 0 prints.
    func run(_ bench: TrainBenchmark, train: Bool, forward: Bool) throws {
        if let threads { Gemm.setThreads(threads) } else { ThreadBudget.apply() }
        let rank0 = bench.communicator.rank == 0
        let mode = try activate(precision, rank0: rank0)
        if rank0 && !json {
            print("ranks \(bench.communicator.size), OpenBLAS threads \(Gemm.threads), element-wise threads \(Parallel.threads), "
                  + "CPU \(CPUFeatures.summary), SIMD kernels \(CPUFeatures.simd), kernels \(ConvAutotuner.shared.mode.rawValue), precision \(mode.rawValue), \(cpuTime ? "CPU-time" : "wall") clock, load average \(systemLoadAverage())")
        }
        for c in configs {
            let result = try bench.run(c, train: train, forward: forward)
            if rank0 {
                if !json { print(result.summary) }
                print(result.json)
            }
        }
    }
}

extension Precision: ExpressibleByArgument {}

/// Sets the precision of this process (`MixedPrecision.activate`); the fallback notice goes to
/// standard error, once (rank 0).
func activate(_ precision: Precision, rank0: Bool = true) throws -> PrecisionMode {
    do {
        return try MixedPrecision.activate(precision) { notice in
            if rank0 { FileHandle.standardError.write(Data("diffuse-bench: \(notice)\n".utf8)) }
        }
    } catch {
        throw ValidationError("\(error)")
    }
}
