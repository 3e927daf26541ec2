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
    @Option(help: "First gradient bucket, MB (distributed.first_bucket_mb).") var firstBucketMb: Double = 1
    @Option(help: "Gradient bucket size, MB (distributed.bucket_mb).") var bucketMb: Double = 4

    func validate() throws {
        if firstBucketMb <= 0 || bucketMb <= 0 { throw ValidationError("--first-bucket-mb and --bucket-mb must be positive") }
    }

    func run() throws {
        let communicator = try makeDefaultCommunicator()
        var bench = TrainBenchmark(steps: options.steps, warmup: options.warmup, cpuTime: options.cpuTime, communicator: communicator)
        bench.firstBucketBytes = max(4, Int(firstBucketMb * 1_048_576))
        bench.bucketBytes = max(4, Int(bucketMb * 1_048_576))
        try options.run(bench, train: true, forward: false)
    }
}
