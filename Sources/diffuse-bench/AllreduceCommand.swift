import ArgumentParser
import Benchmarks
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
    @OptionGroup var buckets: BucketOptions

    func run() throws {
        let communicator = try makeDefaultCommunicator()
        var bench = TrainBenchmark(steps: options.steps, warmup: options.warmup, cpuTime: options.cpuTime, communicator: communicator)
        bench.firstBucketBytes = buckets.firstBucketBytes
        bench.bucketBytes = buckets.bucketBytes
        try options.run(bench, train: true, forward: false)
    }
}
