import Distributed
import Foundation
import Tensor

/// Measures how much of a large gradient allreduce hides behind compute when the compute
/// calls `progress()` between its pieces (OpenMPI here has no asynchronous progress thread,
/// so a nonblocking allreduce advances only inside MPI calls).
///
/// Per variant, on every rank (times are the maximum over ranks, best of `repetitions`):
///   T_comm    blocking in-place MPI_Allreduce of the whole buffer;
///   T_compute the compute alone: as many sgemm pieces (256³) as fit in T_comm on the slowest rank;
///   T_overlap the nonblocking allreduce started, the same compute with `progress()` after every
///             piece, then the final wait.
/// hidden fraction = (T_comm + T_compute − T_overlap) / T_comm, clamped to [0, 1]:
/// 1 when the communication costs nothing on top of the compute, 0 when fully exposed.
public struct AllreduceOverlapBenchmark {
    public struct Result: Sendable {
        public let label: String
        public let bytes: Int
        public let slices: Int
        public let communicationSeconds: Double
        public let computeSeconds: Double
        public let overlappedSeconds: Double
        /// Time blocked waiting after the compute ended.
        public let exposedSeconds: Double

        public var hiddenFraction: Double {
            guard communicationSeconds > 0 else { return 1 }
            return min(1, max(0, (communicationSeconds + computeSeconds - overlappedSeconds) / communicationSeconds))
        }

        public var summary: String {
            func ms(_ s: Double) -> String { String(format: "%.1f ms", s * 1e3) }
            return "\(label): \(bytes >> 20) MB allreduce \(ms(communicationSeconds)), compute \(ms(computeSeconds)) in \(slices) pieces, "
                + "overlapped \(ms(overlappedSeconds)) (exposed wait \(ms(exposedSeconds))), hidden "
                + String(format: "%.0f%%", hiddenFraction * 100)
        }
    }

    public let communicator: any Communicator
    public var megabytes: Int
    public var repetitions: Int
    /// Compute piece: C[n x n] = A B with n = 256 (33.5 MFLOP).
    public var sliceSize = 256

    public init(communicator: any Communicator, megabytes: Int = 64, repetitions: Int = 3) {
        precondition(megabytes > 0 && repetitions > 0, "megabytes and repetitions must be positive")
        self.communicator = communicator
        self.megabytes = megabytes
        self.repetitions = repetitions
    }

    /// Two variants: one nonblocking allreduce of the whole buffer, and the `GradientBucketer`
    /// (its default buckets: 1 MB first, then 4 MB; 1 MB parameters marked ready in reverse, spread over the compute).
    public func run() throws -> [Result] {
        let count = megabytes << 18
        let gradients = Tensor(shape: [count], repeating: 1)
        let a = Tensor(shape: [sliceSize, sliceSize], repeating: 0.5)
        let b = Tensor(shape: [sliceSize, sliceSize], repeating: 0.25)
        let c = Tensor(zeros: [sliceSize, sliceSize])
        let computeSlice = { Gemm.sgemm(m: sliceSize, n: sliceSize, k: sliceSize, a: a.pointer, lda: sliceSize,
                                        b: b.pointer, ldb: sliceSize, c: c.pointer, ldc: sliceSize) }
        let buffer = UnsafeMutableBufferPointer(start: gradients.pointer, count: count)

        // Blocking allreduce, then as many compute pieces as fit in its time (agreed across ranks).
        let tComm = try bestWallTime { try communicator.allreduceSum(buffer) }
        try communicator.barrier()
        var fitting = 0
        let calibrationStart = monotonicSeconds()
        repeat { computeSlice(); fitting += 1 } while monotonicSeconds() - calibrationStart < tComm
        let slices = Int(try communicator.allreduce(Int64(fitting), .max))
        let tCompute = try bestWallTime { for _ in 0..<slices { computeSlice() } }

        // Variant 1: a single nonblocking allreduce.
        var exposed1 = Double.infinity
        let tOverlap1 = try bestWallTime {
            let request = try communicator.startAllreduceSum(buffer)
            for _ in 0..<slices {
                computeSlice()
                _ = try request.test()
            }
            let waitStart = monotonicSeconds()
            try request.wait()
            exposed1 = min(exposed1, monotonicSeconds() - waitStart)
        }

        // Variant 2: buckets of 1 MB "parameters", ready in reverse order as the compute proceeds.
        let parameterCount = megabytes
        let ranges = (0..<parameterCount).map { (offset: $0 << 18, count: 1 << 18) }
        let bucketer = GradientBucketer(gradients: gradients, parameterRanges: ranges, communicator: communicator)
        var exposed2 = Double.infinity
        let tOverlap2 = try bestReported {
            bucketer.resetStatistics()
            var next = parameterCount - 1
            let loopStart = monotonicSeconds()
            for s in 0..<slices {
                computeSlice()
                // Parameters whose gradient is done after slice s: the first (s+1)/slices of them in reverse.
                let readyUpTo = parameterCount - (s + 1) * parameterCount / slices
                while next >= readyUpTo { bucketer.markReady(next); next -= 1 }
                bucketer.progress()
            }
            let loop = monotonicSeconds() - loopStart
            try bucketer.finish()
            exposed2 = min(exposed2, bucketer.statistics.exposedSeconds)
            return loop + bucketer.statistics.exposedSeconds
        }

        let bytes = count * MemoryLayout<Float>.stride
        var times = [tComm, tCompute, tOverlap1, exposed1, tOverlap2, exposed2]
        try communicator.allreduce(&times, .max)
        return [
            Result(label: "single request", bytes: bytes, slices: slices, communicationSeconds: times[0],
                   computeSeconds: times[1], overlappedSeconds: times[2], exposedSeconds: times[3]),
            Result(label: "bucketed 1 MB + 4 MB", bytes: bytes, slices: slices, communicationSeconds: times[0],
                   computeSeconds: times[1], overlappedSeconds: times[4], exposedSeconds: times[5]),
        ]
    }

    /// Minimum over `repetitions` of the body's wall time, after a barrier each time.
    private func bestWallTime(_ body: () throws -> Void) throws -> Double {
        try bestReported { () throws -> Double in
            let start = monotonicSeconds()
            try body()
            return monotonicSeconds() - start
        }
    }

    /// Minimum over `repetitions` of the time the body reports, after a barrier each time.
    private func bestReported(_ body: () throws -> Double) throws -> Double {
        var result = Double.infinity
        for _ in 0..<repetitions {
            try communicator.barrier()
            result = min(result, try body())
        }
        return result
    }
}
