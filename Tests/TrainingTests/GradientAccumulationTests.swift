import Autograd
import Checkpoint
import Distributed
import Foundation
import NN
import Tensor
import XCTest
@testable import Training

/// `train.micro_batch` on one process (the tiny 2-D model of `TrainerFixtures`, global batch 8):
/// the same run as without micro-batches, exact resume, and one allreduce per step launched
/// during the last micro-batch's backward pass.
extension TrainerTests {
    /// Counts the objective's forward passes (one per micro-batch).
    final class ForwardCounter {
        var passes = 0
    }

    struct CountingObjective: TrainingObjective {
        let counter: ForwardCounter
        func losses(model: any Backbone, x: Tensor, context: ForwardContext, globalBatch: Int) -> (losses: Variable, times: [Double]) {
            counter.passes += 1
            return TinyObjective().losses(model: model, x: x, context: context, globalBatch: globalBatch)
        }
    }

    /// Trains run `run` in-process on `communicator` with the counting objective.
    func trainCounting(_ run: String, _ overrides: [String], communicator: any Communicator, counter: ForwardCounter) throws -> TrainingOutcome {
        let options = TrainOptions(configPath: configPath, overrides: overrides, runDirectory: dir + "/" + run)
        return try TrainingRun.run(options, communicator: communicator, makeComponents: { config in
            TrainingComponents(model: TinyBackbone(seed: UInt64(config.train.seed)), dataset: TrainerFixtures.dataset(),
                               objective: CountingObjective(counter: counter))
        })
    }

    func assertRelativelyClose(_ a: [Float], _ b: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        for (i, (x, y)) in zip(a, b).enumerated() {
            XCTAssertEqual(x, y, accuracy: 1e-5 * max(abs(x), abs(y)), "\(what): element \(i)", file: file, line: line)
        }
    }

    func testMicroBatchesTrainTheSameRunAsOnePass() throws {
        let (_, reference) = try train("whole")
        // 8 = 4 x 2, and 8 = 3 + 3 + 2 (a size that does not divide the share).
        for m in [2, 3] {
            let (outcome, losses) = try train("m\(m)", overrides: ["train.micro_batch=\(m)"])
            XCTAssertEqual(outcome, .finished(step: 6))
            XCTAssertEqual(Set(losses.keys), Set(reference.keys))
            for (step, loss) in reference {
                XCTAssertEqual(losses[step]!, loss, accuracy: 1e-5 * abs(loss), "micro_batch \(m): loss of step \(step)")
            }
            assertRelativelyClose(try finalParameters("m\(m)"), try finalParameters("whole"), "micro_batch \(m): parameters, EMA, Adam moments after 6 steps")
            let records = try MetricsLog.read(RunFolder(path: dir + "/m\(m)").metricsPath)
            let wholeRecords = try MetricsLog.read(RunFolder(path: dir + "/whole").metricsPath)
            XCTAssertEqual(records.map(\.samplesSeen), wholeRecords.map(\.samplesSeen))
            for (r, w) in zip(records, wholeRecords) {
                XCTAssertEqual(r.gradNorm, w.gradNorm, accuracy: 1e-5 * w.gradNorm, "micro_batch \(m): step \(r.step) gradient norm")
                XCTAssertEqual(r.lossByTQuartile.map { $0 == nil }, w.lossByTQuartile.map { $0 == nil }, "step \(r.step): the same quartiles filled")
                for (a, b) in zip(r.lossByTQuartile, w.lossByTQuartile) {
                    if let a, let b { XCTAssertEqual(a, b, accuracy: 1e-5 * abs(b), "micro_batch \(m): step \(r.step) loss by t quartile") }
                }
            }
        }
        // A micro-batch equal to or larger than the share is the one-pass run, bit for bit.
        let (_, whole16) = try train("m16", overrides: ["train.micro_batch=16"])
        XCTAssertEqual(whole16, reference)
        XCTAssertEqual(try finalParameters("m16"), try finalParameters("whole"))

        let log = try String(contentsOfFile: RunFolder(path: dir + "/m3").logPath, encoding: .utf8)
        XCTAssertTrue(log.contains("global batch 8 on 1 rank: 8 per rank as 3 micro-batches of 3 (the last of 2)"), log)
        let log16 = try String(contentsOfFile: RunFolder(path: dir + "/m16").logPath, encoding: .utf8)
        XCTAssertTrue(log16.contains("global batch 8 on 1 rank: 8 per rank as 1 micro-batch of 8 (train.micro_batch 16 exceeds the share)"), log16)
    }

    func testStopAndResumeWithMicroBatchesIsExact() throws {
        let micro = ["train.micro_batch=3"]
        let (full, reference) = try train("full", overrides: micro)
        XCTAssertEqual(full, .finished(step: 6))
        // SIGUSR1 after step 3 with --exit-on-signal: checkpoint at step 4, stop; then resume.
        let (stopped, first) = try train("split", overrides: micro, exitOnSignal: true, signalAt: 3)
        XCTAssertEqual(stopped, .stoppedBySignal(step: 4))
        let (resumed, second) = try train("split", resume: .auto, overrides: micro)
        XCTAssertEqual(resumed, .finished(step: 6))
        XCTAssertEqual(Array(second.keys).sorted(), [5, 6])
        XCTAssertEqual(first.merging(second) { a, _ in a }, reference, "a resumed run repeats the uninterrupted losses exactly")
        XCTAssertEqual(try finalParameters("split"), try finalParameters("full"), "bit-identical parameters, EMA and Adam moments")
    }

    /// 2 (mirrored) ranks, share 4, micro_batch 1: 4 forward passes per step, and the 2 gradient
    /// buckets (bias, then weight) launched once per step, after the 4th pass and during its
    /// backward (tested by `progress()` before `finish()` waits); one loss allreduce per step.
    func testOneGradientAllreducePerStepDuringTheLastMicroBatch() throws {
        let counter = ForwardCounter()
        let communicator = MirrorCommunicator(size: 2) { counter.passes }
        let outcome = try trainCounting("mirror", ["train.micro_batch=1", "train.steps=3",
                                                   "distributed.first_bucket_mb=0.00001", "distributed.bucket_mb=0.00001"],
                                        communicator: communicator, counter: counter)
        XCTAssertEqual(outcome, .finished(step: 3))
        XCTAssertEqual(counter.passes, 12)
        XCTAssertEqual(communicator.gradientLaunches.map(\.clock), [4, 4, 8, 8, 12, 12])
        XCTAssertEqual(communicator.gradientLaunches.map(\.elements), [2, 6, 2, 6, 2, 6])
        XCTAssertTrue(communicator.gradientLaunches.allSatisfy(\.testedBeforeWait), "launched during the backward pass")
        let lossSums = communicator.blockingAllreduces.filter { $0.type == "Double" && $0.operation == .sum }
        XCTAssertEqual(lossSums.map(\.clock), [4, 8, 12])
        let log = try String(contentsOfFile: RunFolder(path: dir + "/mirror").logPath, encoding: .utf8)
        XCTAssertTrue(log.contains("global batch 8 on 2 ranks: 4 per rank as 4 micro-batches of 1"), log)
    }
}
