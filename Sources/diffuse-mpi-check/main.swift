import ArgumentParser
import Distributed
import Foundation

/// `mpirun -np N diffuse-mpi-check` runs `MPISelfCheck` on every rank; rank 0 prints one line
/// per check and a final "P passed, F failed" line. Exit status 1 if any check failed.
struct DiffuseMPICheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diffuse-mpi-check",
        abstract: "Self-check of Diffuse's MPI layer (run under mpirun -np N, or alone as one rank).")

    func run() throws {
        let communicator = try makeDefaultCommunicator()
        let outcomes = try MPISelfCheck(communicator: communicator).run()
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
