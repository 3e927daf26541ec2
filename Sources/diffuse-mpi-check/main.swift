import ArgumentParser
import Benchmarks
import Distributed
import Foundation
import TestSupport

/// `mpirun -np N diffuse-mpi-check` runs `MPISelfCheck` on every rank; rank 0 prints one line
/// per check and a final "P passed, F failed" line. Exit status 1 if any check failed.
/// `--bench-allreduce` instead prints the `AllreduceOverlapBenchmark` measurement.
struct DiffuseMPICheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diffuse-mpi-check",
        abstract: "Self-check of Diffuse's MPI layer (run under mpirun -np N, or alone as one rank).")

    @Flag(help: "Measure how much of a large allreduce hides behind compute that calls progress().")
    var benchAllreduce = false

    @Option(help: "Size of the benchmarked allreduce in MB.")
    var megabytes = 64

    @Option(help: "Repetitions per benchmark measurement (the best is kept).")
    var repetitions = 3

    @Option(help: "Make the named check fail on the last rank (tests the failure report).")
    var injectFailure: String?

    func validate() throws {
        guard megabytes > 0 else { throw ValidationError("--megabytes must be positive, got \(megabytes)") }
        guard repetitions > 0 else { throw ValidationError("--repetitions must be positive, got \(repetitions)") }
    }

    func run() throws {
        let communicator = try makeDefaultCommunicator()
        if benchAllreduce {
            let results = try AllreduceOverlapBenchmark(communicator: communicator, megabytes: megabytes,
                                                        repetitions: repetitions).run()
            if communicator.rank == 0 {
                print("diffuse-mpi-check: \(communicator.size) rank(s)")
                for r in results { print(r.summary) }
                fflush(stdout)
            }
            try communicator.finalize()
            return
        }
        let outcomes = try MPISelfCheck(communicator: communicator, injectedFailure: injectFailure).run()
        let failed = outcomes.filter { !$0.passed }.count
        if communicator.rank == 0 {
            print("diffuse-mpi-check: \(communicator.size) rank(s)")
            for o in outcomes {
                print(o.passed ? "PASS \(o.name)" : "FAIL \(o.name): \(o.detail)")
            }
            print("\(outcomes.count - failed) passed, \(failed) failed")
            fflush(stdout)
        }
        try communicator.finalize()
        if failed > 0 { throw ExitCode(1) }
    }
}

DiffuseMPICheck.main()
