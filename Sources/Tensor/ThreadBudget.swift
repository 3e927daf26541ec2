import Foundation

/// Threads one process may use: the node's cores shared among the ranks on that node.
///
/// `threads = DIFFUSE_THREADS` when set, else `max(1, cores / localRanks)`, where the number of
/// ranks on this node comes from the launcher (`OMPI_COMM_WORLD_LOCAL_SIZE` from OpenMPI's
/// mpirun, `MPI_LOCALNRANKS` from MPICH/Hydra, `SLURM_STEP_TASKS_PER_NODE` from srun). Without it,
/// `mpirun -np 4` on 2 cores would run 4 x 2 OpenBLAS threads that spin against each other.
public enum ThreadBudget {
    /// Threads per process for this environment and core count.
    public static func threads(environment: [String: String], cores: Int) -> Int {
        if let s = environment["DIFFUSE_THREADS"], let n = Int(s), n >= 1 { return n }
        return max(1, max(1, cores) / localRanks(environment: environment))
    }

    /// Ranks sharing this node, from the launcher's environment (1 when not launched by one).
    public static func localRanks(environment: [String: String]) -> Int {
        for key in ["OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_STEP_TASKS_PER_NODE"] {
            guard let value = environment[key] else { continue }
            // Slurm writes e.g. "2(x3),1": the leading count is this node's for homogeneous steps.
            let digits = value.prefix(while: { $0.isNumber })
            if let n = Int(digits), n >= 1 { return n }
        }
        return 1
    }

    /// Puts OpenBLAS at one thread, so that `Gemm` splits large GEMMs over `Parallel.threads`
    /// Dispatch workers itself, unless the user chose OpenBLAS's count with
    /// `OPENBLAS_NUM_THREADS` or `OMP_NUM_THREADS`. Executables call this once at start.
    public static func apply(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if environment["OPENBLAS_NUM_THREADS"] != nil || environment["OMP_NUM_THREADS"] != nil { return }
        Gemm.setThreads(1)
    }
}
