import Foundation
import XCTest
@testable import Training

/// `eval.every` under mpirun: the figures of 2 ranks (each drawing one group of 16 of the 32
/// samples) are those of 1 rank.
extension TrainingProcessTests {
    func testSampleQualityIsTheSameOnOneAndTwoRanks() throws {
        let classifier = try EvalFixtures.classifier(in: dir)
        try EvalFixtures.yaml(classifier: classifier).write(toFile: dir + "/eval.yaml", atomically: true, encoding: .utf8)
        var quality: [Int: [SampleQualityRecord]] = [:]
        for ranks in [1, 2] {
            let run = "eval-\(ranks)"
            let result = try train(["--config", "eval.yaml", "--run-dir", run], ranks: ranks)
            XCTAssertEqual(result.status, 0, result.stderr)
            quality[ranks] = try MetricsLog.read(dir + "/" + run + "/metrics.jsonl").compactMap(\.quality)
        }
        let one = try XCTUnwrap(quality[1]), two = try XCTUnwrap(quality[2])
        XCTAssertEqual(one.count, 2)
        XCTAssertEqual(two.count, 2)
        for (a, b) in zip(one, two) {
            XCTAssertEqual(a.count, b.count)
            XCTAssertEqual(a.fid, b.fid, accuracy: 1e-4 * max(1, abs(a.fid)))
            XCTAssertEqual(a.precision, b.precision)
            XCTAssertEqual(a.recall, b.recall)
            XCTAssertEqual(a.classAgreement, b.classAgreement)
        }
    }
}
