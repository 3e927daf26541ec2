import XCTest
@testable import Data
import HDF5

final class ShardedBatchSamplerTests: DataTestCase {
    func testPermutationIsAPermutationThatChangesWithEpochAndSeed() {
        let p0 = ShardedBatchSampler.permutation(count: 1000, seed: 7, epoch: 0)
        let p1 = ShardedBatchSampler.permutation(count: 1000, seed: 7, epoch: 1)
        XCTAssertEqual(p0.sorted(), Array(0..<1000))
        XCTAssertEqual(p1.sorted(), Array(0..<1000))
        XCTAssertNotEqual(p0, p1)
        XCTAssertNotEqual(p0, Array(0..<1000))
        XCTAssertNotEqual(p0, ShardedBatchSampler.permutation(count: 1000, seed: 8, epoch: 0))
        XCTAssertEqual(p0, ShardedBatchSampler.permutation(count: 1000, seed: 7, epoch: 0), "pure function of (seed, epoch)")
    }

    func testSharesAreContiguousAndCoverTheBatch() {
        XCTAssertEqual(ShardedBatchSampler.share(rank: 0, worldSize: 3, batchSize: 10), 0..<4)
        XCTAssertEqual(ShardedBatchSampler.share(rank: 1, worldSize: 3, batchSize: 10), 4..<7)
        XCTAssertEqual(ShardedBatchSampler.share(rank: 2, worldSize: 3, batchSize: 10), 7..<10)
    }

    func testUnionOverRanksEqualsTheSingleProcessEpochForManyWorldSizes() throws {
        for count in [96, 103, 50] {
            let batchSize = 16
            let batches = count / batchSize
            var single = try ShardedBatchSampler(count: count, globalBatchSize: batchSize, seed: 3, horizontalFlip: true)
            let reference = (0..<(2 * batches)).map { _ in single.next() }
            // The single process sees the epoch's permutation, minus the dropped remainder.
            for epoch in 0..<2 {
                let seen = reference[(epoch * batches)..<((epoch + 1) * batches)].flatMap(\.indices)
                XCTAssertEqual(seen, Array(ShardedBatchSampler.permutation(count: count, seed: 3, epoch: epoch).prefix(batches * batchSize)))
            }
            XCTAssertEqual(reference[batches].epoch, 1)
            XCTAssertEqual(reference[batches].batch, 0)
            for worldSize in [1, 2, 3, 8] {
                var samplers = try (0..<worldSize).map {
                    try ShardedBatchSampler(count: count, globalBatchSize: batchSize, worldSize: worldSize, rank: $0,
                                            seed: 3, horizontalFlip: true)
                }
                for expected in reference {
                    var indices: [Int] = [], flips: [Bool] = []
                    for r in 0..<worldSize {
                        let part = samplers[r].next()
                        XCTAssertEqual(part.step, expected.step)
                        XCTAssertEqual(part.firstSample, expected.firstSample + samplers[r].share.lowerBound)
                        XCTAssertEqual(part.indices.count, samplers[r].share.count)
                        indices += part.indices
                        flips += part.flips
                    }
                    XCTAssertEqual(indices, expected.indices, "count \(count) W \(worldSize) step \(expected.step)")
                    XCTAssertEqual(flips, expected.flips, "count \(count) W \(worldSize) step \(expected.step)")
                }
            }
        }
    }

    func testFlipsAreMixedAndOffByDefault() throws {
        var flipping = try ShardedBatchSampler(count: 64, globalBatchSize: 64, seed: 1, horizontalFlip: true)
        let flips = flipping.next().flips
        XCTAssertTrue(flips.contains(true) && flips.contains(false))
        var plain = try ShardedBatchSampler(count: 64, globalBatchSize: 64, seed: 1)
        XCTAssertFalse(plain.next().flips.contains(true))
    }

    func testMicroBatchesOfOneRankAreTheSharesOfMoreRanks() throws {
        var one = try ShardedBatchSampler(count: 200, globalBatchSize: 32, seed: 4, horizontalFlip: true)
        var four = try (0..<4).map { try ShardedBatchSampler(count: 200, globalBatchSize: 32, worldSize: 4, rank: $0, seed: 4, horizontalFlip: true) }
        for _ in 0..<8 {   // past the end of the first epoch (6 batches)
            let micro = one.next().microBatches(maxSize: 8)
            let shares = (0..<4).map { four[$0].next() }
            XCTAssertEqual(micro, shares, "micro-batches of 8 of the 1-rank batch = the shares of 4 ranks")
        }
    }

    func testMicroBatchesSplitAShareInOrderWithTheLastShorter() throws {
        XCTAssertEqual(ShardedBatch.microBatchSizes(share: 10, maxSize: 3), [3, 3, 3, 1])
        XCTAssertEqual(ShardedBatch.microBatchSizes(share: 12, maxSize: 4), [4, 4, 4])
        XCTAssertEqual(ShardedBatch.microBatchSizes(share: 8, maxSize: nil), [8])
        XCTAssertEqual(ShardedBatch.microBatchSizes(share: 8, maxSize: 8), [8])
        XCTAssertEqual(ShardedBatch.microBatchSizes(share: 8, maxSize: 20), [8], "larger than the share: one micro-batch")
        var sampler = try ShardedBatchSampler(count: 100, globalBatchSize: 20, worldSize: 2, rank: 1, seed: 2, horizontalFlip: true)
        _ = sampler.next()
        let share = sampler.next()
        let micro = share.microBatches(maxSize: 3)
        XCTAssertEqual(micro.map(\.indices.count), [3, 3, 3, 1])
        XCTAssertEqual(micro.flatMap(\.indices), share.indices)
        XCTAssertEqual(micro.flatMap(\.flips), share.flips)
        XCTAssertEqual(micro.map(\.firstSample), [30, 33, 36, 39], "global numbers of step 1, rank 1 (samples 30..<40)")
        XCTAssertTrue(micro.allSatisfy { $0.step == 1 && $0.epoch == 0 && $0.batch == 1 })
        XCTAssertEqual(share.microBatches(maxSize: nil), [share])
    }

    func testResumeFromASavedCursorContinuesTheSameSequence() throws {
        var uninterrupted = try ShardedBatchSampler(count: 70, globalBatchSize: 8, worldSize: 2, rank: 1, seed: 11, horizontalFlip: true)
        let all = (0..<20).map { _ in uninterrupted.next() }
        var first = try ShardedBatchSampler(count: 70, globalBatchSize: 8, worldSize: 2, rank: 1, seed: 11, horizontalFlip: true)
        for _ in 0..<11 { _ = first.next() }
        XCTAssertEqual(first.cursor, DataCursor(epoch: 1, batch: 3))
        // Round-trip the cursor through an HDF5 group as a checkpoint would.
        let h5 = try H5File.create(path("cursor.h5"))
        try first.cursor.save(to: try h5.createGroup("data"))
        let restored = try DataCursor.load(from: try h5.group(named: "data"))
        var resumed = try ShardedBatchSampler(count: 70, globalBatchSize: 8, worldSize: 2, rank: 1, seed: 11,
                                              horizontalFlip: true, cursor: restored)
        XCTAssertEqual((11..<20).map { _ in resumed.next() }, Array(all[11..<20]))
    }

    func testImpossibleConfigurationsThrow() {
        assertThrows(["fewer than one global batch"]) { _ = try ShardedBatchSampler(count: 5, globalBatchSize: 8, seed: 0) }
        assertThrows(["smaller than the 4 ranks"]) { _ = try ShardedBatchSampler(count: 50, globalBatchSize: 3, worldSize: 4, rank: 0, seed: 0) }
        assertThrows(["rank 4"]) { _ = try ShardedBatchSampler(count: 50, globalBatchSize: 8, worldSize: 4, rank: 4, seed: 0) }
        assertThrows(["outside an epoch of 6 batches"]) {
            _ = try ShardedBatchSampler(count: 50, globalBatchSize: 8, seed: 0, cursor: DataCursor(epoch: 0, batch: 6))
        }
    }
}
