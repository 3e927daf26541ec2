import Foundation

/// How this process was started, read from the launcher's environment variables: the one place
/// that knows them. OpenMPI's mpirun sets OMPI_COMM_WORLD_SIZE, an MPICH/PMI launcher PMI_SIZE
/// and PMI_RANK, PMIx (e.g. `srun --mpi=pmix`) PMIX_RANK, and Slurm's srun SLURM_STEP_ID, with
/// SLURM_PROCID and SLURM_NTASKS for its tasks.
public enum MPILaunch {
    /// True when this process is one rank of a job started by an MPI launcher, so
    /// `MPICommunicator` should be used: mpirun, an MPICH/PMI or PMIx launcher, or Slurm with
    /// more than one task (SLURM_PROCID with SLURM_NTASKS > 1). A plain `sbatch` single-task job
    /// is not.
    public static func isLaunchedByMPI(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        if environment["OMPI_COMM_WORLD_SIZE"] != nil { return true }
        if environment["PMI_SIZE"] != nil { return true }
        if environment["PMIX_RANK"] != nil { return true }
        if environment["SLURM_PROCID"] != nil, let tasks = environment["SLURM_NTASKS"].flatMap({ Int($0) }), tasks > 1 {
            return true
        }
        return false
    }

    /// True when any launcher started this process, even for a single task (`srun` of one task
    /// sets SLURM_STEP_ID). OpenMPI hands its ranks a pseudo-terminal even when the job's output
    /// goes to a file, so a launched process does not treat stdout as a terminal the user watches.
    public static func isUnderLauncher(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        isLaunchedByMPI(environment: environment) || environment["PMI_RANK"] != nil || environment["SLURM_STEP_ID"] != nil
    }
}
