import Foundation
import Tensor

/// Overlaps the gradient allreduce with the backward pass (PyTorch DDP's reducer, Li et al.
/// 2020, "PyTorch Distributed: Experiences on Accelerating Data Parallel Training").
///
/// The flat gradient buffer holds the parameters in registration order. The backward pass
/// produces gradients roughly in reverse of that order, so buckets are formed walking the
/// parameters from last to first: bucket 0 holds the last parameters and is small
/// (`firstBucketBytes`, about 1 MB, so communication starts early), later buckets are up to
/// `bucketBytes` (4 MB by default, `distributed.bucket_mb`; PyTorch DDP uses 25 MB). A bucket is a contiguous element range of the buffer, reduced
/// in place by one nonblocking allreduce.
///
/// Per step: `markReady(i)` as parameter i's gradient becomes final; a bucket whose parameters
/// are all ready is launched, but only in bucket index order (a ready bucket k+1 waits for
/// bucket k), so every rank issues the same sequence of collectives whatever its readiness
/// order. `progress()` between layers lets MPI advance; `finish()` launches what is left,
/// waits, and divides by the world size: g <- (1/N) sum_r g^(r).
///
/// It knows nothing of autograd: callers map variables to parameter indices. `markReady` and
/// `progress` do not throw, so they can run inside autograd's (non-throwing) backward hooks: a
/// communication error stops further launches and is thrown by `finish()` (whose caller should
/// then abort the job, since the ranks' collectives no longer match).
///
/// Wiring with autograd (in Training), for a `ParameterSet` `params` whose grads are zeroed
/// before the backward pass (a parameter that gets no gradient is reduced as it is):
///
///     let bucketer = GradientBucketer(gradients: params.grads, parameterRanges: params.ranges, communicator: comm)
///     // index: ObjectIdentifier(variable) -> position in params (registration order)
///     loss.backward(hooks: BackwardHooks(leafReady: { v in bucketer.markReady(index[ObjectIdentifier(v)]!) },
///                                        afterNode: { bucketer.progress() }))
///     try bucketer.finish()   // params.grads now holds the average over ranks
public final class GradientBucketer {
    /// A contiguous range of the flat gradient buffer reduced by one allreduce.
    public struct Bucket: Equatable, Sendable {
        public let index: Int
        /// Parameter indices in the order they were added (descending).
        public let parameters: [Int]
        /// Element range in the flat gradient buffer.
        public let elements: Range<Int>
        public var byteCount: Int { elements.count * MemoryLayout<Float>.stride }
    }

    /// Cumulative counters since creation or `resetStatistics()`.
    public struct Statistics: Equatable, Sendable {
        /// Time blocked in `finish()` waiting for reductions: the communication not hidden behind compute.
        public var exposedSeconds: Double = 0
        /// Time spent inside `progress()` (MPI_Test calls).
        public var progressSeconds: Double = 0
        /// Bytes of gradient sent through allreduce (0 on one rank, where nothing is communicated).
        public var bytesReduced: Int = 0
        /// Buckets launched.
        public var bucketsLaunched: Int = 0
        /// Steps completed by `finish()`.
        public var steps: Int = 0
    }

    public let communicator: any Communicator
    public let gradients: Tensor
    public let buckets: [Bucket]
    public private(set) var statistics = Statistics()

    private let bucketOfParameter: [Int]
    private var isParameterReady: [Bool]
    private var pendingParameters: [Int]
    private var requests: [CommunicationRequest?]
    private var isBucketComplete: [Bool]
    /// The next bucket index to launch; buckets below it are launched.
    public private(set) var launchedCount = 0
    /// The first communication error of this step, thrown by `finish()`.
    private var deferredError: Error?

    /// The default bucket sizes (`distributed.first_bucket_mb` 1, `distributed.bucket_mb` 4).
    public static let defaultFirstBucketBytes = 1 << 20
    public static let defaultBucketBytes = 4 << 20

    /// A bucket size given in MB (MiB, as the config keys and bench options give it), at least
    /// one float.
    public static func bytes(megabytes: Double) -> Int { max(4, Int(megabytes * 1_048_576)) }

    /// - Parameters:
    ///   - gradients: the flat gradient buffer (kept alive while reductions are in flight).
    ///   - parameterRanges: (offset, count) of each parameter in `gradients`, registration order.
    public init(gradients: Tensor, parameterRanges: [(offset: Int, count: Int)], communicator: any Communicator,
                firstBucketBytes: Int = GradientBucketer.defaultFirstBucketBytes, bucketBytes: Int = GradientBucketer.defaultBucketBytes) {
        for (i, r) in parameterRanges.enumerated() {
            precondition(r.offset >= 0 && r.count >= 0 && r.offset + r.count <= gradients.count,
                         "parameter \(i) range (offset \(r.offset), count \(r.count)) lies outside the gradient buffer of \(gradients.count) elements")
        }
        self.communicator = communicator
        self.gradients = gradients
        buckets = GradientBucketer.formBuckets(parameterRanges: parameterRanges,
                                               firstBucketBytes: firstBucketBytes, bucketBytes: bucketBytes)
        var owner = [Int](repeating: -1, count: parameterRanges.count)
        for b in buckets { for p in b.parameters { owner[p] = b.index } }
        bucketOfParameter = owner
        isParameterReady = Array(repeating: false, count: parameterRanges.count)
        pendingParameters = buckets.map { $0.parameters.count }
        requests = Array(repeating: nil, count: buckets.count)
        isBucketComplete = Array(repeating: false, count: buckets.count)
    }

    /// Cuts parameters into buckets walking from the last parameter to the first. A parameter
    /// joins the open bucket if it is adjacent in memory (its range ends where the bucket
    /// starts) and the bucket stays within its cap (`firstBucketBytes` for bucket 0,
    /// `bucketBytes` after); otherwise it opens a new bucket. A parameter larger than the cap
    /// gets a bucket of its own.
    public static func formBuckets(parameterRanges: [(offset: Int, count: Int)],
                                   firstBucketBytes: Int, bucketBytes: Int) -> [Bucket] {
        precondition(firstBucketBytes > 0 && bucketBytes > 0, "bucket caps must be positive, got \(firstBucketBytes) and \(bucketBytes)")
        let elementBytes = MemoryLayout<Float>.stride
        var buckets: [Bucket] = []
        var members: [Int] = []
        var lower = 0, upper = 0
        func close() {
            guard !members.isEmpty else { return }
            buckets.append(Bucket(index: buckets.count, parameters: members, elements: lower..<upper))
            members = []
        }
        for p in parameterRanges.indices.reversed() {
            let r = parameterRanges[p]
            let cap = buckets.isEmpty ? firstBucketBytes : bucketBytes
            if !members.isEmpty && (r.offset + r.count != lower || (upper - r.offset) * elementBytes > cap) {
                close()
            }
            if members.isEmpty { upper = r.offset + r.count }
            members.append(p)
            lower = r.offset
        }
        close()
        return buckets
    }

    /// Parameter `index`'s gradient is final for this step. Launches its bucket (and any
    /// following ready buckets) when the bucket is complete and all earlier buckets are launched.
    public func markReady(_ index: Int) {
        precondition(isParameterReady.indices.contains(index), "parameter index \(index) out of 0..<\(isParameterReady.count)")
        precondition(!isParameterReady[index], "parameter \(index) marked ready twice in one step")
        isParameterReady[index] = true
        pendingParameters[bucketOfParameter[index]] -= 1
        guard deferredError == nil else { return }
        do {
            while launchedCount < buckets.count && pendingParameters[launchedCount] == 0 {
                try launch(launchedCount)
            }
        } catch {
            deferredError = error
        }
    }

    private func launch(_ k: Int) throws {
        let b = buckets[k]
        if communicator.size > 1 && !b.elements.isEmpty {
            let buffer = UnsafeMutableBufferPointer(start: gradients.pointer + b.elements.lowerBound, count: b.elements.count)
            requests[k] = try communicator.startAllreduce(buffer, .sum)
            statistics.bytesReduced += b.byteCount
        } else {
            isBucketComplete[k] = true
        }
        launchedCount = k + 1
        statistics.bucketsLaunched += 1
    }

    /// Lets in-flight reductions advance (MPI_Test on each); call between layers of the backward pass.
    public func progress() {
        guard deferredError == nil else { return }
        let start = monotonicSeconds()
        do {
            for k in 0..<launchedCount where !isBucketComplete[k] {
                if try requests[k]!.test() { isBucketComplete[k] = true }
            }
        } catch {
            deferredError = error
        }
        statistics.progressSeconds += monotonicSeconds() - start
    }

    /// Launches the buckets not yet launched (parameters that got no gradient are reduced as
    /// they are), waits for all reductions, divides by the world size, and resets for the next step.
    /// Throws the first communication error of the step, if any (the state is reset either way).
    public func finish() throws {
        defer { reset() }
        if let error = deferredError { throw error }
        while launchedCount < buckets.count { try launch(launchedCount) }
        let start = monotonicSeconds()
        for k in buckets.indices where !isBucketComplete[k] {
            try requests[k]!.wait()
            isBucketComplete[k] = true
        }
        statistics.exposedSeconds += monotonicSeconds() - start
        let n = communicator.size
        if n > 1 {
            let scale = Float(n)
            for b in buckets {
                let p = gradients.pointer + b.elements.lowerBound
                Parallel.forChunks(b.elements.count) { range in
                    for i in range { p[i] /= scale }
                }
            }
        }
        statistics.steps += 1
    }

    private func reset() {
        for i in isParameterReady.indices { isParameterReady[i] = false }
        for b in buckets {
            pendingParameters[b.index] = b.parameters.count
            requests[b.index] = nil
            isBucketComplete[b.index] = false
        }
        launchedCount = 0
        deferredError = nil
    }

    public func resetStatistics() { statistics = Statistics() }
}
