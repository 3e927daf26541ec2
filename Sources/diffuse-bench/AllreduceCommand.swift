import ArgumentParser
import Distributed
import Training

/// `mpirun -np 2 diffuse-bench allreduce`: the training step data-parallel with the
/// GradientBucketer overlapping the gradient allreduce with backward; reports global img/s and
/// the communication time per step not hidden under compute. Compare with `diffuse-bench train`
/// in one process (e.g. 2 ranks x 1 thread against 1 rank x 2 threads).
struct AllreduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allreduce",
        abstract: "Data-parallel training img/s under mpirun and the exposed communication time per step.")

    @OptionGroup var options: BenchOptions

    func run() throws {
        let communicator = try makeDefaultCommunicator()
        try options.run(TrainBenchmark(steps: options.steps, warmup: options.warmup, cpuTime: options.cpuTime, communicator: communicator),
                        train: true, forward: false)
    }
}
