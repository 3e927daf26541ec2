import Synchronization
import XCTest
@testable import Tensor

/// `Parallel`'s chunking and dynamic hand-out: every item once, never more workers at once than
/// asked, chunk boundaries that depend on sizes only, and results that do not depend on which
/// worker took which chunk.
final class ParallelTests: XCTestCase {
    func testChunkCount() {
        XCTAssertEqual(Parallel.chunkCount(items: 100, workers: 1, perWorker: 4), 1, "one worker: one chunk")
        XCTAssertEqual(Parallel.chunkCount(items: 100, workers: 2, perWorker: 4), 8)
        XCTAssertEqual(Parallel.chunkCount(items: 5, workers: 2, perWorker: 4), 5, "no more chunks than items")
        XCTAssertEqual(Parallel.chunkCount(items: 1, workers: 2, perWorker: 4), 1)
        XCTAssertEqual(Parallel.chunkCount(items: 300, workers: 2, minItems: 64, perWorker: 4), 4, "chunks of at least 64")
        XCTAssertEqual(Parallel.chunkCount(items: 100, workers: 2, minItems: 64, perWorker: 4), 2,
                       "minItems never leaves a worker without a chunk")
        XCTAssertEqual(Parallel.chunkCount(items: 100, workers: 3, perWorker: 1), 3, "one chunk per worker: the static split")
    }

    func testChunksCoverTheRangeEvenly() {
        for items in [0, 1, 7, 64, 1000] {
            for chunks in [1, 2, 3, 8] {
                let ranges = (0..<chunks).map { Parallel.chunk($0, of: chunks, items: items) }
                XCTAssertEqual(ranges.first?.lowerBound, 0)
                XCTAssertEqual(ranges.last?.upperBound, items)
                for (a, b) in zip(ranges, ranges.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
                let sizes = ranges.map(\.count)
                XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1, "\(items) items in \(chunks) chunks: \(sizes)")
            }
        }
    }

    func testChunksPerWorkerFromTheEnvironment() {
        XCTAssertEqual(Parallel.chunksPerWorker(environment: [:]), 4)
        XCTAssertEqual(Parallel.chunksPerWorker(environment: ["DIFFUSE_CHUNKS_PER_WORKER": "1"]), 1)
        XCTAssertEqual(Parallel.chunksPerWorker(environment: ["DIFFUSE_CHUNKS_PER_WORKER": "16"]), 16)
        for bad in ["0", "65", "-2", "four", ""] {
            XCTAssertEqual(Parallel.chunksPerWorker(environment: ["DIFFUSE_CHUNKS_PER_WORKER": bad]), 4, "'\(bad)' is ignored")
        }
    }

    /// Every chunk runs once, on a worker index below `workers`, with at most `workers` at once
    /// (Dispatch would otherwise run as many iterations as the machine has cores).
    func testDynamicRunsEveryChunkOnceOnAtMostWorkers() {
        for workers in [1, 2, 3] {
            for chunks in [0, 1, 5, 40] {
                let runs = Mutex([Int](repeating: 0, count: chunks))
                let active = Atomic<Int>(0), peak = Atomic<Int>(0), badWorker = Atomic<Int>(0)
                Parallel.dynamic(chunks: chunks, workers: workers) { c, w in
                    let now = active.wrappingAdd(1, ordering: .relaxed).newValue
                    _ = peak.max(now, ordering: .relaxed)
                    if w < 0 || w >= workers { badWorker.wrappingAdd(1, ordering: .relaxed) }
                    runs.withLock { $0[c] += 1 }
                    // Some work, so that workers overlap.
                    var x = 0.0
                    for i in 0..<2_000 { x += Double(i).squareRoot() }
                    if x < 0 { print(x) }
                    active.wrappingSubtract(1, ordering: .relaxed)
                }
                XCTAssertEqual(runs.withLock { $0 }, [Int](repeating: 1, count: chunks), "\(chunks) chunks, \(workers) workers")
                XCTAssertEqual(badWorker.load(ordering: .relaxed), 0)
                XCTAssertLessThanOrEqual(peak.load(ordering: .relaxed), workers, "\(chunks) chunks on \(workers) workers")
            }
        }
    }

    func testForChunksVisitsEveryIndexOnce() {
        for count in [0, 1, 100, 200_000] {
            let seen = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(1, count))
            defer { seen.deallocate() }
            seen.initialize(repeating: 0)
            let base = seen.baseAddress!
            Parallel.forChunks(count, threads: 2) { range in
                for i in range { base[i] += 1 }
            }
            XCTAssertEqual(seen.prefix(count).filter { $0 != 1 }.count, 0, "count \(count)")
        }
    }

    /// The weight gradient adds per-chunk partial sums in chunk order: the same bits from call
    /// to call, whichever worker ran which chunk.
    func testSplitWeightGradientIsTheSameEveryTime() {
        let saved = Gemm.threads
        defer { Gemm.setThreads(saved) }
        Gemm.setThreads(1)
        func random(_ shape: [Int], _ seed: Int) -> Tensor {
            Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { Float(sin(Double($0 * 7 + seed))) })
        }
        let x = random([8, 16, 12, 12], 1), w = random([16, 16, 3, 3], 2), dy = random([8, 16, 12, 12], 3)
        let first = Conv2dKernel.backward(dy, input: x, weight: w, stride: 1, padding: 1, samplesPerGemm: 1).weight!
        for _ in 0..<5 {
            let again = Conv2dKernel.backward(dy, input: x, weight: w, stride: 1, padding: 1, samplesPerGemm: 1).weight!
            XCTAssertEqual(again.scalars, first.scalars)
        }
    }
}
