import XCTest
@testable import Distributed

final class ScalingModelTests: XCTestCase {
    let mb = 1_048_576.0

    func model(bandwidth: Double = 125e6, latency: Double = 50e-6, gradientMB: Double = 16,
               first: Double = 1, bucket: Double = 25, backwardShare: Double = 0.6) -> ScalingModel {
        ScalingModel(computeSecondsPerSample: 0.03, backwardShare: backwardShare, gradientBytes: gradientMB * mb,
                     bandwidthBytesPerSecond: bandwidth, latencySeconds: latency,
                     firstBucketBytes: first * mb, bucketBytes: bucket * mb)
    }

    func testRingAllreduceTimeByHand() {
        let m = model()
        // 4 ranks: 6 hops; 6 x 50 us + 6/4 x 16 MiB / 125 MB/s.
        XCTAssertEqual(m.ringAllreduceSeconds(bytes: 16 * mb, ranks: 4), 6 * 50e-6 + 1.5 * 16 * mb / 125e6, accuracy: 1e-12)
        XCTAssertEqual(m.ringAllreduceSeconds(bytes: 16 * mb, ranks: 1), 0)
        // The bandwidth term tends to 2 m / beta as n grows, the latency term grows linearly.
        XCTAssertLessThan(m.ringAllreduceSeconds(bytes: 16 * mb, ranks: 512), 2 * 16 * mb / 125e6 + 1022 * 50e-6 + 1e-9)
    }

    func testBucketsAsTheBucketerCutsThem() {
        XCTAssertEqual(model(gradientMB: 60).bucketSizes, [1 * mb, 25 * mb, 25 * mb, 9 * mb])
        XCTAssertEqual(model(gradientMB: 0.5).bucketSizes, [0.5 * mb])
    }

    func testOneRankHasNoCommunication() {
        let p = model().predict(ranks: 1, perRankBatch: 32)
        XCTAssertEqual(p.exposedSeconds, 0)
        XCTAssertEqual(p.efficiency, 1)
        XCTAssertEqual(p.computeSeconds, 32 * 0.03, accuracy: 1e-12)
    }

    func testOneBucketCannotOverlap() {
        // A single bucket is ready only when backward ends: all of its time is exposed.
        let m = model(first: 100, bucket: 100)
        let p = m.predict(ranks: 4, perRankBatch: 32)
        XCTAssertEqual(p.exposedSeconds, m.ringAllreduceSeconds(bytes: 16 * mb, ranks: 4), accuracy: 1e-12)
        XCTAssertEqual(p.overlap, 0, accuracy: 1e-12)
    }

    func testSmallBucketsHideCommunicationUnderALongBackward() {
        // 1 MB buckets on a fast link during a 0.58 s backward: only the last bucket shows.
        let m = model(bandwidth: 1.25e9, first: 1, bucket: 1)
        let p = m.predict(ranks: 8, perRankBatch: 32)
        XCTAssertEqual(p.exposedSeconds, m.ringAllreduceSeconds(bytes: mb, ranks: 8), accuracy: 1e-9)
        XCTAssertGreaterThan(p.overlap, 0.9)
        // Larger buckets on the same link expose more.
        XCTAssertGreaterThan(model(bandwidth: 1.25e9, first: 1, bucket: 25).predict(ranks: 8, perRankBatch: 32).exposedSeconds, p.exposedSeconds)
    }

    func testAStarvedLinkExposesWhatBackwardCannotCover() {
        // Communication far longer than backward: exposed = total allreduce - what fits in backward's span.
        let m = model(bandwidth: 1e6)
        let p = m.predict(ranks: 2, perRankBatch: 32)
        XCTAssertGreaterThan(p.exposedSeconds, p.allreduceSeconds - 32 * 0.03 * 0.6 - 1e-9)
        XCTAssertLessThan(p.efficiency, 0.1)
    }

    func testEfficiencyFallsWithRanksAndRisesWithBatch() {
        let m = model()
        let e = [2, 8, 64, 512].map { m.predict(ranks: $0, perRankBatch: 32).efficiency }
        XCTAssertEqual(e, e.sorted(by: >))
        XCTAssertGreaterThan(m.predict(ranks: 64, perRankBatch: 128).efficiency, m.predict(ranks: 64, perRankBatch: 8).efficiency)
    }

    func testRingParametersRecoverAlphaAndBeta() throws {
        let m = model(bandwidth: 3e8, latency: 2e-5)
        let small = (bytes: 4096.0, seconds: m.ringAllreduceSeconds(bytes: 4096, ranks: 4))
        let large = (bytes: 64 * mb, seconds: m.ringAllreduceSeconds(bytes: 64 * mb, ranks: 4))
        let fit = try XCTUnwrap(ScalingModel.ringParameters(small: small, large: large, ranks: 4))
        XCTAssertEqual(fit.bandwidthBytesPerSecond, 3e8, accuracy: 1)
        XCTAssertEqual(fit.latencySeconds, 2e-5, accuracy: 1e-12)
        XCTAssertNil(ScalingModel.ringParameters(small: large, large: small, ranks: 4))
    }
}
