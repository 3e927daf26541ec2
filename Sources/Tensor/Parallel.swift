import Dispatch
import Foundation

/// Splits loops over the machine's cores (Dispatch `concurrentPerform`).
public enum Parallel {
    /// Worker count for element-wise loops; 1 disables threading (e.g. one thread per MPI rank).
    /// Read once from `DIFFUSE_THREADS`, else the active processor count.
    public static let threads: Int = {
        if let s = ProcessInfo.processInfo.environment["DIFFUSE_THREADS"], let n = Int(s), n >= 1 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Below this many elements a loop runs on the calling thread.
    public static let minParallelWork = 1 << 15

    /// Calls `body(range)` over disjoint chunks covering `0..<count`, in parallel when `count`
    /// (times `cost`, the relative work per element) is large enough.
    @inline(__always)
    public static func forChunks(_ count: Int, cost: Int = 1, _ body: (Range<Int>) -> Void) {
        let workers = min(threads, max(1, (count * cost) / minParallelWork))
        if workers <= 1 { body(0..<count); return }
        let chunk = (count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lo = w * chunk, hi = min(count, lo + chunk)
            if lo < hi { body(lo..<hi) }
        }
    }
}
