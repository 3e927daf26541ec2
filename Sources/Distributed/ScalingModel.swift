/// A performance model of one data-parallel training step with bucketed gradient allreduce
/// overlapped with the backward pass, built from measured inputs (docs/scaling.md).
///
/// Ring allreduce of `m` bytes over `n` ranks (Patarasuk & Yuan 2009; Thakur, Rabenseifner
/// & Gropp 2005): a reduce-scatter and an allgather of `n - 1` hops each, every hop moving
/// `m / n` bytes over one link,
///
///     T_ar(m, n) = 2 (n - 1) alpha + 2 (n - 1) / n * m / beta,
///
/// with `alpha` the per-hop latency and `beta` the link bandwidth (bytes/s). The gradient of
/// `S` bytes becomes ready during backward, taken as uniform in time over the backward
/// duration `t_b` (the bytes of the last layers first, as autograd produces them). It is cut
/// into buckets as `GradientBucketer` cuts it: a first bucket of `firstBucketBytes`, then
/// `bucketBytes` each. Bucket `k` is ready when its last byte is, at
/// `r_k = t_b * (bytes up to and including k) / S`, and the buckets go over the network one
/// after the other (one outstanding reduction at a time, as a single ring does):
///
///     start_k = max(r_k, finish_(k-1)),   finish_k = start_k + T_ar(m_k, n)
///
/// The communication not hidden under backward is `exposed = max(0, finish_last - t_b)`, the
/// step takes `t_step = t_compute + exposed`, and the scaling efficiency (weak scaling: the
/// same batch per rank at every rank count) is `t_compute / t_step`. Compute per rank is
/// `perRankBatch * computeSecondsPerSample`, so strong scaling (a fixed global batch) is the
/// same model with `perRankBatch = globalBatch / n`.
///
/// What it leaves out (and where it fails, see docs/scaling.md): skew between ranks (the slowest
/// rank sets the step), contention of communication with compute for the same cores and
/// memory bandwidth, MPI progress (a nonblocking reduction advances only while a rank calls into
/// MPI), topology (a hierarchical or tree allreduce at high `n`, where `2 (n - 1) alpha` grows).
public struct ScalingModel: Sendable, Equatable {
    /// Forward + backward + optimizer seconds per sample on one rank (measured, no communication).
    public var computeSecondsPerSample: Double
    /// Share of the compute spent in backward (the window that can hide communication), in [0, 1].
    public var backwardShare: Double
    /// Bytes of the gradient (4 x parameters in fp32).
    public var gradientBytes: Double
    /// Link bandwidth beta, bytes per second (measured ring allreduce bandwidth).
    public var bandwidthBytesPerSecond: Double
    /// Per-hop latency alpha, seconds.
    public var latencySeconds: Double
    public var firstBucketBytes: Double
    public var bucketBytes: Double

    public init(computeSecondsPerSample: Double, backwardShare: Double, gradientBytes: Double,
                bandwidthBytesPerSecond: Double, latencySeconds: Double,
                firstBucketBytes: Double = 1_048_576, bucketBytes: Double = 25 * 1_048_576) {
        precondition(computeSecondsPerSample >= 0 && (0...1).contains(backwardShare) && gradientBytes >= 0
                     && bandwidthBytesPerSecond > 0 && latencySeconds >= 0 && firstBucketBytes > 0 && bucketBytes > 0,
                     "ScalingModel: inputs out of range")
        self.computeSecondsPerSample = computeSecondsPerSample
        self.backwardShare = backwardShare
        self.gradientBytes = gradientBytes
        self.bandwidthBytesPerSecond = bandwidthBytesPerSecond
        self.latencySeconds = latencySeconds
        self.firstBucketBytes = firstBucketBytes
        self.bucketBytes = bucketBytes
    }

    /// One predicted step.
    public struct Prediction: Sendable, Equatable {
        public var ranks: Int
        public var computeSeconds: Double
        /// All of the step's allreduce time, hidden or not.
        public var allreduceSeconds: Double
        public var exposedSeconds: Double
        public var stepSeconds: Double { computeSeconds + exposedSeconds }
        /// Weak-scaling efficiency, compute / step.
        public var efficiency: Double { stepSeconds > 0 ? computeSeconds / stepSeconds : 1 }
        /// Share of the allreduce hidden under backward (1 when there is none).
        public var overlap: Double { allreduceSeconds > 0 ? 1 - exposedSeconds / allreduceSeconds : 1 }
    }

    /// T_ar(m, n) of the ring; 0 on one rank.
    public func ringAllreduceSeconds(bytes: Double, ranks n: Int) -> Double {
        guard n > 1, bytes > 0 else { return 0 }
        let hops = 2 * Double(n - 1)
        return hops * latencySeconds + hops / Double(n) * bytes / bandwidthBytesPerSecond
    }

    /// The bucket sizes in order: the first bucket, then full buckets, then the remainder.
    public var bucketSizes: [Double] {
        var sizes: [Double] = []
        var left = gradientBytes
        var next = firstBucketBytes
        while left > 0 {
            let m = min(next, left)
            sizes.append(m)
            left -= m
            next = bucketBytes
        }
        return sizes
    }

    public func predict(ranks n: Int, perRankBatch: Double) -> Prediction {
        precondition(n >= 1 && perRankBatch > 0, "ScalingModel.predict: ranks >= 1 and a positive batch")
        let compute = perRankBatch * computeSecondsPerSample
        guard n > 1 else { return Prediction(ranks: n, computeSeconds: compute, allreduceSeconds: 0, exposedSeconds: 0) }
        let backward = compute * backwardShare
        var ready = 0.0, finish = 0.0, total = 0.0
        for m in bucketSizes {
            ready += m
            let readyAt = gradientBytes > 0 ? backward * ready / gradientBytes : backward
            let t = ringAllreduceSeconds(bytes: m, ranks: n)
            finish = max(readyAt, finish) + t
            total += t
        }
        return Prediction(ranks: n, computeSeconds: compute, allreduceSeconds: total, exposedSeconds: max(0, finish - backward))
    }

    /// The bandwidth and latency of a ring from two measured allreduce times of one rank count
    /// (a small message for latency, a large one for bandwidth): solves T_ar for alpha and beta.
    public static func ringParameters(small: (bytes: Double, seconds: Double), large: (bytes: Double, seconds: Double),
                                      ranks n: Int) -> (bandwidthBytesPerSecond: Double, latencySeconds: Double)? {
        guard n > 1, large.bytes > small.bytes, large.seconds > small.seconds else { return nil }
        let hops = 2 * Double(n - 1)
        // T = hops alpha + hops / n * m / beta: slope in m is hops / (n beta).
        let slope = (large.seconds - small.seconds) / (large.bytes - small.bytes)
        let beta = hops / (Double(n) * slope)
        let alpha = max(0, (small.seconds - slope * small.bytes) / hops)
        return (beta, alpha)
    }
}
