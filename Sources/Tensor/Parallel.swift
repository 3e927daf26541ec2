import Dispatch
import Foundation

/// Splits loops over the machine's cores (Dispatch `concurrentPerform`).
public enum Parallel {
    /// Worker count for element-wise loops; 1 disables threading (e.g. one thread per MPI rank).
    /// Read once: `DIFFUSE_THREADS`, else the cores shared among this node's ranks (`ThreadBudget`).
    public static let threads: Int = ThreadBudget.threads(environment: ProcessInfo.processInfo.environment,
                                                         cores: ProcessInfo.processInfo.activeProcessorCount)

    /// Below this many elements a loop runs on the calling thread.
    public static let minParallelWork = 1 << 15

    /// Calls `body(range)` over disjoint chunks covering `0..<count`, in parallel when `count`
    /// (times `cost`, the relative work per element) is large enough.
    /// `threads` caps the workers (1 inside a region that is already parallel).
    @inline(__always)
    public static func forChunks(_ count: Int, cost: Int = 1, threads: Int = Parallel.threads,
                                 _ body: (Range<Int>) -> Void) {
        let workers = min(threads, max(1, (count * cost) / minParallelWork))
        if workers <= 1 { body(0..<count); return }
        let chunk = (count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lo = w * chunk, hi = min(count, lo + chunk)
            if lo < hi { body(lo..<hi) }
        }
    }
}
