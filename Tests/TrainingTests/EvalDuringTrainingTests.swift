import Distributed
import Foundation
import XCTest
@testable import Config
@testable import Training

/// `eval.every`: the `eval:` section's validation, the classifier opened at start-up, quality
/// figures in metrics.jsonl, and a signal during a measurement (in process, one rank; the
/// rank-count equivalence is in `TrainingProcessTests`).
final class EvalDuringTrainingTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try TrainerFixtures.temporaryFolder() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func problems(_ overrides: [String]) -> String {
        do {
            _ = try ConfigLoader.load(yaml: "model:\n  kind: unet\n", overrides: overrides)
            return ""
        } catch {
            return "\(error)"
        }
    }

    func testEvalSectionValidation() {
        XCTAssertEqual(problems(["eval.count=2"]), "", "count matters only when eval.every > 0")
        let missing = problems(["eval.every=10"])
        XCTAssertTrue(missing.contains("eval.classifier: eval.every is 10 but no classifier file is given"), missing)
        let small = problems(["eval.every=10", "eval.classifier=c.h5", "eval.count=3"])
        XCTAssertTrue(small.contains("eval.count: must be at least 8"), small)
        let negative = problems(["eval.every=-1", "eval.steps=-2"])
        XCTAssertTrue(negative.contains("eval.every: must be >= 0, got -1"), negative)
        XCTAssertTrue(negative.contains("eval.steps: must be >= 0, got -2"), negative)
        let mlp = problems(["model.kind=mlp", "data.source=two-moons", "eval.every=10", "eval.classifier=c.h5"])
        XCTAssertTrue(mlp.contains("eval.every: sample quality is measured on images"), mlp)
    }

    func testAMissingOrMisshapedClassifierIsReportedAtStartUp() throws {
        let missing = try ConfigLoader.load(yaml: EvalFixtures.yaml(classifier: dir + "/none.h5")).config
        XCTAssertThrowsError(try TrainingSetup.components(missing)) {
            XCTAssertTrue("\($0)".contains("eval.classifier: classifier \(self.dir)/none.h5: no such file"), "\($0)")
        }
        let classifier = try EvalFixtures.classifier(in: dir)
        let rgb = try ConfigLoader.load(yaml: EvalFixtures.yaml(classifier: classifier), overrides: ["data.source=shapes16-rgb"]).config
        XCTAssertThrowsError(try TrainingSetup.components(rgb)) {
            XCTAssertTrue("\($0)".contains("takes images of shape [1, 16, 16], but data.source shapes16-rgb has images of shape [3, 16, 16]"), "\($0)")
        }
    }

    func run(_ name: String, classifier: String, overrides: [String] = [], signalDuringMeasurement: Int32? = nil) throws -> TrainingOutcome {
        let config = dir + "/\(name).yaml"
        try EvalFixtures.yaml(classifier: classifier).write(toFile: config, atomically: true, encoding: .utf8)
        let options = TrainOptions(configPath: config, overrides: overrides, runDirectory: dir + "/" + name)
        return try TrainingRun.run(options, communicator: SingleProcessCommunicator(), makeComponents: { config in
            var components = try TrainingSetup.components(config)
            if let sig = signalDuringMeasurement, let evaluator = components.qualityEvaluator {
                var signalled = false
                components.qualityEvaluator = SampleQualityEvaluator(
                    classifier: evaluator.classifier, reference: evaluator.reference, count: evaluator.count, numClasses: evaluator.numClasses,
                    draw: { model, count, share, shouldStop in
                        if !signalled {
                            signalled = true
                            kill(getpid(), sig)
                            usleep(200_000)   // let the Dispatch signal source raise its flag
                        }
                        return try evaluator.draw(model, count, share, shouldStop)
                    }, summary: evaluator.summary)
            }
            return components
        })
    }

    func testQualityIsWrittenToMetricsAtEveryEvalStep() throws {
        let classifier = try EvalFixtures.classifier(in: dir)
        XCTAssertEqual(try run("q", classifier: classifier), .finished(step: 4))
        let folder = RunFolder(path: dir + "/q")
        let records = try MetricsLog.read(folder.metricsPath)
        XCTAssertEqual(records.map(\.step), [1, 2, 3, 4], "one line per step, the measured ones carrying quality")
        XCTAssertNil(records[0].quality)
        XCTAssertNil(records[2].quality)
        for record in [records[1], records[3]] {
            let q = try XCTUnwrap(record.quality)
            XCTAssertEqual(q.count, 32)
            XCTAssertTrue(q.fid.isFinite && q.fid >= -1e-9, "\(q)")
            XCTAssertTrue((0...1).contains(q.precision) && (0...1).contains(q.recall), "\(q)")
            XCTAssertTrue((0...1).contains(try XCTUnwrap(q.classAgreement)), "\(q)")
        }
        let log = try String(contentsOfFile: folder.logPath, encoding: .utf8)
        XCTAssertTrue(log.contains("step 2: measuring sample quality (32 samples, euler, 2 steps, guidance 1.5, on 1 rank(s))"), log)
        XCTAssertTrue(log.contains("step 4: sample quality: FID "), log)
    }

    func testSigtermDuringAMeasurementAbandonsItCheckpointsAndStops() throws {
        let classifier = try EvalFixtures.classifier(in: dir)
        XCTAssertEqual(try run("t", classifier: classifier, signalDuringMeasurement: SIGTERM), .stoppedBySignal(step: 2))
        let folder = RunFolder(path: dir + "/t")
        XCTAssertEqual(folder.checkpoints.checkpoints().map(\.step), [2])
        let records = try MetricsLog.read(folder.metricsPath)
        XCTAssertEqual(records.map(\.step), [1, 2])
        XCTAssertNil(records[1].quality, "an abandoned measurement logs no figures")
        let log = try String(contentsOfFile: folder.logPath, encoding: .utf8)
        XCTAssertTrue(log.contains("step 2: SIGTERM received while measuring sample quality; measurement abandoned after "), log)
        XCTAssertTrue(log.contains(" s; checkpointing and stopping"), log)
    }
}
