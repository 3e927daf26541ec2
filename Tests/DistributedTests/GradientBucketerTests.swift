import XCTest
import Tensor
@testable import Distributed

final class GradientBucketerTests: XCTestCase {
    /// Contiguous parameters of the given element counts, registration order.
    func ranges(_ counts: [Int]) -> [(offset: Int, count: Int)] {
        var offset = 0
        return counts.map { c in defer { offset += c }; return (offset, c) }
    }

    func testBucketsFormInReverseOrderWithFirstBucketSmall() {
        // Caps: first bucket 40 bytes (10 floats), then 100 bytes (25 floats).
        // Counts 4 6 8 5 3 4 6: offsets 0 4 10 18 23 26 30, total 36.
        let b = GradientBucketer.formBuckets(parameterRanges: ranges([4, 6, 8, 5, 3, 4, 6]),
                                             firstBucketBytes: 40, bucketBytes: 100)
        // Reverse walk: p6 (6) + p5 (4) = 10 floats fills bucket 0; then p4 3 + p3 5 + p2 8 = 16,
        // + p1 6 = 22 <= 25, + p0 4 = 26 > 25 -> p0 alone.
        XCTAssertEqual(b.map(\.parameters), [[6, 5], [4, 3, 2, 1], [0]])
        XCTAssertEqual(b.map(\.elements), [26..<36, 4..<26, 0..<4])
        XCTAssertEqual(b.map(\.index), [0, 1, 2])
        XCTAssertEqual(b[1].byteCount, 88)
    }

    func testOversizedParameterGetsItsOwnBucket() {
        let b = GradientBucketer.formBuckets(parameterRanges: ranges([2, 50, 3]), firstBucketBytes: 40, bucketBytes: 40)
        XCTAssertEqual(b.map(\.parameters), [[2], [1], [0]])
        XCTAssertEqual(b.map(\.elements), [52..<55, 2..<52, 0..<2])
    }

    func testNonAdjacentParametersSplitBuckets() {
        // A gap between parameter 0 (0..<4) and parameter 1 (6..<10) must not be reduced.
        let b = GradientBucketer.formBuckets(parameterRanges: [(0, 4), (6, 4), (10, 2)], firstBucketBytes: 1 << 20, bucketBytes: 1 << 20)
        XCTAssertEqual(b.map(\.parameters), [[2, 1], [0]])
        XCTAssertEqual(b.map(\.elements), [6..<12, 0..<4])
    }

    func testDefaultCapsAreOneAndTwentyFiveMegabytes() {
        // 40 parameters of 256 Ki floats (1 MiB each).
        let b = GradientBucketer.formBuckets(parameterRanges: ranges(Array(repeating: 1 << 18, count: 40)),
                                             firstBucketBytes: 1 << 20, bucketBytes: 25 << 20)
        XCTAssertEqual(b.map { $0.parameters.count }, [1, 25, 14])
        XCTAssertEqual(b[0].parameters, [39])
    }

    func testOutOfOrderReadinessLaunchesInBucketOrder() throws {
        let grads = Tensor(shape: [36], repeating: 1)
        let comm = RecordingCommunicator(size: 2, base: grads.pointer)
        let bucketer = GradientBucketer(gradients: grads, parameterRanges: ranges([4, 6, 8, 5, 3, 4, 6]),
                                        communicator: comm, firstBucketBytes: 40, bucketBytes: 100)
        // Bucket 1 (parameters 4 3 2 1) becomes complete first: it must be held.
        for p in [4, 3, 1, 2] { bucketer.markReady(p) }
        XCTAssertEqual(comm.launches, [])
        XCTAssertEqual(bucketer.launchedCount, 0)
        bucketer.markReady(6)
        XCTAssertEqual(comm.launches, [])
        // Completing bucket 0 launches it and then the held bucket 1, in that order.
        bucketer.markReady(5)
        XCTAssertEqual(comm.launches, [26..<36, 4..<26])
        XCTAssertEqual(bucketer.launchedCount, 2)
        bucketer.markReady(0)
        XCTAssertEqual(comm.launches, [26..<36, 4..<26, 0..<4])
    }

    func testProgressTestsInFlightRequestsAndFinishAverages() throws {
        let grads = Tensor(shape: [36], values: (0..<36).map { Float($0) })
        let comm = RecordingCommunicator(size: 4, base: grads.pointer, testsToComplete: 1)
        let bucketer = GradientBucketer(gradients: grads, parameterRanges: ranges([4, 6, 8, 5, 3, 4, 6]),
                                        communicator: comm, firstBucketBytes: 40, bucketBytes: 100)
        bucketer.progress()
        XCTAssertEqual(comm.testCalls, 0, "nothing launched, nothing to test")
        bucketer.markReady(6)
        bucketer.markReady(5)
        bucketer.progress()
        XCTAssertEqual(comm.testCalls, 1)
        XCTAssertEqual(comm.completed, [26..<36])
        bucketer.progress()
        XCTAssertEqual(comm.testCalls, 1, "completed requests are not tested again")
        // Parameters 0...4 never marked ready: finish launches buckets 1 and 2 and waits.
        try bucketer.finish()
        XCTAssertEqual(comm.launches, [26..<36, 4..<26, 0..<4])
        XCTAssertEqual(comm.waitCalls, 2)
        // The fake sums 4 identical ranks (x4) and finish divides by 4: every element reduced once.
        XCTAssertEqual(grads.scalars, (0..<36).map { Float($0) })
        XCTAssertEqual(bucketer.statistics.bytesReduced, 36 * 4)
        XCTAssertEqual(bucketer.statistics.bucketsLaunched, 3)
        XCTAssertEqual(bucketer.statistics.steps, 1)

        // The next step starts from scratch.
        XCTAssertEqual(bucketer.launchedCount, 0)
        for p in (0..<7).reversed() { bucketer.markReady(p) }
        XCTAssertEqual(comm.launches.count, 6)
        try bucketer.finish()
        XCTAssertEqual(grads.scalars, (0..<36).map { Float($0) })
        XCTAssertEqual(bucketer.statistics.steps, 2)
    }

    func testLaunchErrorIsThrownByFinishAndTheNextStepStartsClean() throws {
        let grads = Tensor(shape: [36], repeating: 1)
        let comm = RecordingCommunicator(size: 2, base: grads.pointer)
        comm.failingLaunch = 1
        let bucketer = GradientBucketer(gradients: grads, parameterRanges: ranges([4, 6, 8, 5, 3, 4, 6]),
                                        communicator: comm, firstBucketBytes: 40, bucketBytes: 100)
        for p in (0..<7).reversed() { bucketer.markReady(p) }   // bucket 1's launch fails here
        XCTAssertEqual(comm.launches, [26..<36], "no launch after the failure")
        bucketer.progress()
        XCTAssertThrowsError(try bucketer.finish()) { error in
            XCTAssertEqual((error as? CommunicatorError)?.code, 15)
        }
        XCTAssertEqual(bucketer.launchedCount, 0)
        for p in (0..<7).reversed() { bucketer.markReady(p) }
        try bucketer.finish()
        XCTAssertEqual(comm.launches.count, 4)
    }

    func testGapsAreNotReduced() throws {
        let grads = Tensor(shape: [12], repeating: 3)
        let comm = RecordingCommunicator(size: 2, base: grads.pointer)
        let bucketer = GradientBucketer(gradients: grads, parameterRanges: [(0, 4), (6, 4), (10, 2)], communicator: comm)
        try bucketer.finish()
        // Reduced elements: x2 then /2 = 3; the gap 4..<6 is divided by 2 only if wrongly included.
        XCTAssertEqual(grads.scalars, Array(repeating: 3, count: 12))
        XCTAssertEqual(comm.launches, [6..<12, 0..<4])
    }

    func testSingleRankDoesNoCommunication() throws {
        let grads = Tensor(shape: [10], values: (0..<10).map { Float($0) })
        let bucketer = GradientBucketer(gradients: grads, parameterRanges: ranges([5, 5]),
                                        communicator: SingleProcessCommunicator())
        bucketer.markReady(1)
        bucketer.markReady(0)
        bucketer.progress()
        try bucketer.finish()
        XCTAssertEqual(grads.scalars, (0..<10).map { Float($0) })
        XCTAssertEqual(bucketer.statistics.bytesReduced, 0)
        XCTAssertEqual(bucketer.statistics.bucketsLaunched, 1)
    }
}
