import Dispatch
import Foundation
import Synchronization

/// Splits loops over the machine's cores (Dispatch `concurrentPerform`).
///
/// Work is cut into `chunksPerWorker` chunks per worker rather than one: libdispatch hands
/// `concurrentPerform`'s iterations out as workers come free, so a worker that the host holds
/// off its core (another process, a VM's steal time) leaves its remaining chunks to the others
/// instead of making them all wait at the end of the region. Chunks depend only on the sizes
/// and the thread count, never on timing, so results are the same from run to run.
public enum Parallel {
    /// Worker count for element-wise loops; 1 disables threading (e.g. one thread per MPI rank).
    /// Read once: `DIFFUSE_THREADS`, else the cores shared among this node's ranks (`ThreadBudget`).
    public static let threads: Int = ThreadBudget.threads(environment: ProcessInfo.processInfo.environment,
                                                         cores: ProcessInfo.processInfo.activeProcessorCount)

    /// Chunks per worker in a parallel region: `DIFFUSE_CHUNKS_PER_WORKER` (1 ... 64), else 4.
    /// The default was measured on a 2-core AMD EPYC (Zen 2, AVX2) with oneDNN's convolutions,
    /// mnist training at 2 threads: 1, 2 and 4 chunks per worker ran 40.2, 42.2 and 40.5 img/s
    /// on a quiet machine and 26.6, 33.3 and 36.8 img/s while other jobs ran.
    public static let chunksPerWorker: Int = chunksPerWorker(environment: ProcessInfo.processInfo.environment)

    /// `DIFFUSE_CHUNKS_PER_WORKER` when it is a whole number in 1 ... 64, else 4.
    public static func chunksPerWorker(environment: [String: String]) -> Int {
        if let s = environment["DIFFUSE_CHUNKS_PER_WORKER"], let n = Int(s), (1...64).contains(n) { return n }
        return 4
    }

    /// Below this many elements a loop runs on the calling thread.
    public static let minParallelWork = 1 << 15

    /// How many chunks a region of `items` independent items gets with `workers` workers:
    /// 1 for one worker, else `workers * perWorker`, capped by `items`, and by `items / minItems`
    /// (chunks of at least `minItems`) as long as that leaves one chunk per worker.
    public static func chunkCount(items: Int, workers: Int, minItems: Int = 1,
                                  perWorker: Int = Parallel.chunksPerWorker) -> Int {
        if workers <= 1 || items <= 1 { return 1 }
        let bySize = max(workers, items / max(1, minItems))
        return max(1, min(items, workers * perWorker, bySize))
    }

    /// Item range of chunk `c` of `chunks` over `0 ..< items`: contiguous and as even as can be.
    @inline(__always)
    public static func chunk(_ c: Int, of chunks: Int, items: Int) -> Range<Int> {
        (c * items / chunks)..<((c + 1) * items / chunks)
    }

    /// Calls `body(chunk, worker)` for every chunk in `0 ..< chunks` on at most `workers`
    /// Dispatch workers, each taking the next chunk as it comes free (`worker` in
    /// `0 ..< workers` names the one running it, e.g. to pick its scratch buffers). One worker
    /// runs the chunks in order on the calling thread. Never more than `workers` run at once, so
    /// the thread budget holds however many cores Dispatch sees.
    public static func dynamic(chunks: Int, workers: Int, _ body: (_ chunk: Int, _ worker: Int) -> Void) {
        if workers <= 1 || chunks <= 1 {
            for c in 0..<chunks { body(c, 0) }
            return
        }
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: min(workers, chunks)) { w in
            while true {
                let c = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if c >= chunks { return }
                body(c, w)
            }
        }
    }

    /// Calls `body(range)` over disjoint chunks covering `0..<count`, in parallel when `count`
    /// (times `cost`, the relative work per element) is large enough.
    /// `threads` caps the workers (1 inside a region that is already parallel).
    @inline(__always)
    public static func forChunks(_ count: Int, cost: Int = 1, threads: Int = Parallel.threads,
                                 _ body: (Range<Int>) -> Void) {
        let work = count * cost
        let workers = min(threads, max(1, work / minParallelWork))
        if workers <= 1 { body(0..<count); return }
        // Each chunk keeps at least half the work that justifies a worker.
        let chunks = chunkCount(items: count, workers: workers, minItems: max(1, (minParallelWork / 2) / max(1, cost)))
        dynamic(chunks: chunks, workers: workers) { c, _ in
            let range = chunk(c, of: chunks, items: count)
            if !range.isEmpty { body(range) }
        }
    }
}
