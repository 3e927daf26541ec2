import ArgumentParser
import Distributed

/// `--first-bucket-mb` and `--bucket-mb` (the `distributed:` config keys), shared by
/// `diffuse-bench allreduce` and `diffuse-bench scaling`; defaults are `GradientBucketer`'s.
struct BucketOptions: ParsableArguments {
    @Option(help: "First gradient bucket, MB (distributed.first_bucket_mb).")
    var firstBucketMb = Double(GradientBucketer.defaultFirstBucketBytes) / 1_048_576
    @Option(help: "Gradient bucket size, MB (distributed.bucket_mb).")
    var bucketMb = Double(GradientBucketer.defaultBucketBytes) / 1_048_576

    func validate() throws {
        if firstBucketMb <= 0 || bucketMb <= 0 { throw ValidationError("--first-bucket-mb and --bucket-mb must be positive") }
    }

    var firstBucketBytes: Int { GradientBucketer.bytes(megabytes: firstBucketMb) }
    var bucketBytes: Int { GradientBucketer.bytes(megabytes: bucketMb) }
}
