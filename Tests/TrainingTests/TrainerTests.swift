import Checkpoint
import Distributed
import Foundation
import XCTest
@testable import Config
@testable import Training

final class TrainerTests: XCTestCase {
    var dir = ""
    var configPath = ""

    override func setUpWithError() throws {
        dir = try TrainerFixtures.temporaryFolder()
        configPath = dir + "/tiny.yaml"
        try TrainerFixtures.yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Runs in-process on one rank, recording each step's loss; `signalAt` sends this process
    /// `signal` after that step (the ranks act on it at the next step boundary).
    func train(_ run: String, resume: ResumeMode = .none, overrides: [String] = [], exitOnSignal: Bool = false,
               force: Bool = false, poisonStep: Int? = nil, signalAt: Int? = nil, signal sig: Int32 = SIGUSR1,
               grids: GridProbe? = nil) throws -> (TrainingOutcome, [Int: Double]) {
        var losses: [Int: Double] = [:]
        let options = TrainOptions(configPath: configPath, overrides: overrides, runDirectory: dir + "/" + run, resume: resume,
                                   exitOnSignal: exitOnSignal, force: force)
        let outcome = try TrainingRun.run(options, communicator: SingleProcessCommunicator(),
                                          makeComponents: TrainerFixtures.components(poisonStep: poisonStep, drawSamples: grids?.drawer)) { report in
            losses[report.step] = report.loss
            grids?.step = report.step
            if report.step == signalAt {
                kill(getpid(), sig)
                usleep(200_000)   // let the Dispatch signal source raise its flag
            }
        }
        return (outcome, losses)
    }

    func finalParameters(_ run: String) throws -> [Float] {
        let newest = try XCTUnwrap(RunFolder(path: dir + "/" + run).checkpoints.newestValid())
        let state = try CheckpointReader.read(newest.path, layout: (["net.weight", "net.bias"], [[2, 3], [2]]))
        return state.model.values.scalars + state.ema!.values.scalars + state.optimizer!.moments["exp_avg_sq"]!.values.scalars
    }

    func testLossFallsAndOutputsAreWritten() throws {
        let (outcome, losses) = try train("a", overrides: ["train.steps=30"])
        XCTAssertEqual(outcome, .finished(step: 30))
        XCTAssertLessThan(losses[30]!, losses[1]! * 0.8, "\(losses.sorted { $0.key < $1.key })")
        let folder = RunFolder(path: dir + "/a")
        let records = try MetricsLog.read(folder.metricsPath)
        XCTAssertEqual(records.map(\.step), Array(1...30))
        XCTAssertEqual(records.last!.samplesSeen, 240)
        XCTAssertEqual(records.map(\.loss), (1...30).map { losses[$0]! })
        XCTAssertEqual(records[0].lossByTQuartile.count, 4)
        XCTAssertEqual(records[0].lr, 0.025, accuracy: 1e-12)   // warmup: step 0 of 2
        XCTAssertEqual(records[5].lr, 0.05, accuracy: 1e-12)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.path + "/COMPLETED"))
        XCTAssertEqual(try ConfigLoader.load(path: folder.configPath).config.train.steps, 30)
        // Retention keeps everything here (keep_last 10): steps 2, 4, ..., 30 minus the oldest.
        XCTAssertEqual(folder.checkpoints.checkpoints().map(\.step), Array(stride(from: 12, through: 30, by: 2)))
    }

    func testStopBySignalAndResumeIsExact() throws {
        let (full, reference) = try train("full")
        XCTAssertEqual(full, .finished(step: 6))

        // SIGUSR1 after step 3 with --exit-on-signal: checkpoint at step 4, stop.
        let (stopped, first) = try train("split", exitOnSignal: true, signalAt: 3)
        XCTAssertEqual(stopped, .stoppedBySignal(step: 4))
        XCTAssertEqual(RunFolder(path: dir + "/split").checkpoints.checkpoints().map(\.step), [2, 4])
        let (resumed, second) = try train("split", resume: .auto)
        XCTAssertEqual(resumed, .finished(step: 6))
        XCTAssertEqual(Array(second.keys).sorted(), [5, 6])
        XCTAssertEqual(first.merging(second) { a, _ in a }, reference, "a resumed run must repeat the uninterrupted losses exactly")
        XCTAssertEqual(try finalParameters("split"), try finalParameters("full"))
    }

    func testResumeDropsMetricsOfRepeatedSteps() throws {
        _ = try train("m", overrides: ["train.steps=5"])   // checkpoints at 2, 4 and 5
        try FileManager.default.removeItem(atPath: dir + "/m/checkpoints/step-00000005.h5")
        let (outcome, losses) = try train("m", resume: .auto)
        XCTAssertEqual(outcome, .finished(step: 6))
        XCTAssertEqual(Array(losses.keys).sorted(), [5, 6])
        XCTAssertEqual(try MetricsLog.read(dir + "/m/metrics.jsonl").map(\.step), [1, 2, 3, 4, 5, 6])
    }

    func testResumeFromAnExplicitCheckpointIntoANewFolder() throws {
        let (_, reference) = try train("src")
        let (outcome, losses) = try train("dst", resume: .path(dir + "/src/checkpoints/step-00000004.h5"))
        XCTAssertEqual(outcome, .finished(step: 6))
        XCTAssertEqual(losses[5], reference[5])
        XCTAssertEqual(losses[6], reference[6])
        XCTAssertThrowsError(try train("dst2", resume: .path(dir + "/src/metrics.jsonl"))) { e in
            XCTAssertTrue("\(e)".hasPrefix("\(self.dir)/src/metrics.jsonl: not a readable HDF5 file"), "\(e)")
        }
    }

    func testSigtermCheckpointsAndStops() throws {
        let (outcome, _) = try train("term", signalAt: 1, signal: SIGTERM)
        XCTAssertEqual(outcome, .stoppedBySignal(step: 2))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/term/COMPLETED"))
        XCTAssertEqual(RunFolder(path: dir + "/term").checkpoints.newestValid()?.metadata.step, 2)
    }

    /// A limit shorter than one step: the first step ends past it, checkpoints and stops; a
    /// resume without the limit finishes the run exactly as an uninterrupted one.
    func testTimeLimitCheckpointsStopsAndResumesExactly() throws {
        let (full, reference) = try train("whole")
        XCTAssertEqual(full, .finished(step: 6))
        let (outcome, _) = try train("limited", overrides: ["train.checkpoint_every=0", "train.time_limit_minutes=1e-9"])
        XCTAssertEqual(outcome, .stoppedAtTimeLimit(step: 1))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/limited/COMPLETED"))
        XCTAssertEqual(RunFolder(path: dir + "/limited").checkpoints.checkpoints().map(\.step), [1])
        let (resumed, losses) = try train("limited", resume: .auto)
        XCTAssertEqual(resumed, .finished(step: 6))
        XCTAssertEqual(losses[6], reference[6])
        XCTAssertEqual(try finalParameters("limited"), try finalParameters("whole"))
        XCTAssertThrowsError(try train("bad", overrides: ["train.time_limit_minutes=0"])) { e in
            XCTAssertTrue("\(e)".contains("train.time_limit_minutes: must be a finite number > 0, got 0"), "\(e)")
        }
    }

    func testSigusr1WithoutExitCheckpointsAndContinues() throws {
        let (outcome, _) = try train("usr1", overrides: ["train.checkpoint_every=0"], signalAt: 2)
        XCTAssertEqual(outcome, .finished(step: 6))
        XCTAssertEqual(RunFolder(path: dir + "/usr1").checkpoints.checkpoints().map(\.step), [3, 6])
    }

    func testNonFiniteLossStopsNamingTheStepAndKeepsTheCheckpoint() throws {
        XCTAssertThrowsError(try train("nan", poisonStep: 2)) { e in
            XCTAssertTrue("\(e)".hasPrefix("step 3: non-finite loss nan; stopping (train.nan_policy: stop)"), "\(e)")
            XCTAssertTrue("\(e)".contains("step-00000002.h5"), "\(e)")
        }
        XCTAssertEqual(RunFolder(path: dir + "/nan").checkpoints.newestValid()?.metadata.step, 2)

        let (outcome, _) = try train("skip", overrides: ["train.nan_policy=skip"], poisonStep: 2)
        XCTAssertEqual(outcome, .finished(step: 6))
        let records = try MetricsLog.read(dir + "/skip/metrics.jsonl")
        XCTAssertEqual(records.last!.skippedSteps, 1)
        XCTAssertTrue(records.allSatisfy { $0.gradNorm.isFinite || $0.step == 3 })
        XCTAssertTrue(try finalParameters("skip").allSatisfy(\.isFinite))
    }

    func testRefusesToOverwriteARunOrChangeTheBatch() throws {
        _ = try train("r", overrides: ["train.steps=2"])
        XCTAssertThrowsError(try train("r")) { e in
            XCTAssertTrue("\(e)".contains("already holds a run"), "\(e)")
            XCTAssertTrue("\(e)".contains("--resume auto"), "\(e)")
        }
        XCTAssertThrowsError(try train("r", resume: .auto, overrides: ["train.global_batch=16"])) { e in
            XCTAssertTrue("\(e)".contains("train.global_batch 8, the config asks for 16"), "\(e)")
        }
        let (outcome, _) = try train("r", resume: .auto, overrides: ["train.global_batch=16"], force: true)
        XCTAssertEqual(outcome, .finished(step: 6))
        // --force on a fresh start deletes the earlier run's checkpoints.
        let (fresh, _) = try train("r", overrides: ["train.steps=1", "train.checkpoint_every=0"], force: true)
        XCTAssertEqual(fresh, .finished(step: 1))
        XCTAssertEqual(RunFolder(path: dir + "/r").checkpoints.checkpoints().map(\.step), [1])
    }

    func testResumeAutoCleansPartialFilesAndSkipsDamagedCheckpoints() throws {
        _ = try train("p", overrides: ["train.steps=4"])
        let folder = RunFolder(path: dir + "/p")
        // A damaged newest checkpoint and a partial file of an interrupted write.
        try Data([0x89, 0x48, 0x44]).write(to: URL(fileURLWithPath: folder.checkpointsPath + "/step-00000005.h5"))
        try Data([1, 2]).write(to: URL(fileURLWithPath: folder.checkpointsPath + "/step-00000006.h5.partial"))
        let (outcome, losses) = try train("p", resume: .auto)
        XCTAssertEqual(outcome, .finished(step: 6))
        XCTAssertEqual(Array(losses.keys).sorted(), [5, 6])
        XCTAssertEqual(folder.checkpoints.partialFiles(), [])
        XCTAssertTrue(try String(contentsOfFile: folder.logPath, encoding: .utf8).contains("--resume auto: skipping a checkpoint that does not verify"))
    }

    func testResumeAutoFallsBackToTheNewestCheckpointThatVerifies() throws {
        let (_, reference) = try train("full")
        _ = try train("v", overrides: ["train.steps=4"])   // checkpoints at 2 and 4
        let folder = RunFolder(path: dir + "/v")
        let damaged = folder.checkpointsPath + "/step-00000004.h5"
        try CheckpointDamage.corrupt(damaged, group: "ema", tensor: "net.bias")
        XCTAssertThrowsError(try train("v2", resume: .path(damaged))) { e in
            XCTAssertTrue("\(e)".hasPrefix("\(damaged): tensor /ema/net.bias is damaged"), "\(e)")
        }
        let (outcome, losses) = try train("v", resume: .auto)
        XCTAssertEqual(outcome, .finished(step: 6))
        XCTAssertEqual(losses, reference.filter { $0.key > 2 }, "resumed exactly from step 2")
        let log = try String(contentsOfFile: folder.logPath, encoding: .utf8)
        XCTAssertTrue(log.contains("--resume auto: skipping a checkpoint that does not verify: \(damaged): tensor /ema/net.bias is damaged"), log)
        XCTAssertTrue(log.contains("--resume auto: resuming from \(folder.checkpointsPath)/step-00000002.h5 (step 2), the newest checkpoint that verifies"), log)

        // Every checkpoint damaged: refused, naming each, and nothing is overwritten.
        for c in folder.checkpoints.checkpoints() { try CheckpointDamage.corrupt(c.path, group: "model", tensor: "net.weight") }
        XCTAssertThrowsError(try train("v", resume: .auto)) { e in
            XCTAssertTrue("\(e)".hasPrefix("--resume auto: none of the 3 checkpoint(s) in \(folder.checkpointsPath) verifies"), "\(e)")
            XCTAssertTrue("\(e)".contains("step-00000006.h5: tensor /model/net.weight is damaged"), "\(e)")
        }
    }

    func testResumeFromACheckpointWithoutChecksumsWarns() throws {
        _ = try train("old", overrides: ["train.steps=4"])
        let folder = RunFolder(path: dir + "/old")
        let old = folder.checkpointsPath + "/step-00000004.h5"
        try CheckpointDamage.makeFormatVersion1(old)
        let (outcome, losses) = try train("old", resume: .auto)
        XCTAssertEqual(outcome, .finished(step: 6))
        XCTAssertEqual(Array(losses.keys).sorted(), [5, 6])
        let log = try String(contentsOfFile: folder.logPath, encoding: .utf8)
        XCTAssertTrue(log.contains("WARNING: \(CheckpointReader.unverifiedWarning(old))"), log)
    }

    func testOldConfigKeyIsLoggedAsDeprecatedAndUsed() throws {
        _ = try train("renamed", overrides: ["train.steps=1", "train.bucket_mb=0.5"])
        let folder = RunFolder(path: dir + "/renamed")
        let log = try String(contentsOfFile: folder.logPath, encoding: .utf8)
        XCTAssertTrue(log.contains("WARNING: \(configPath): train.bucket_mb is deprecated: it is now distributed.bucket_mb"), log)
        XCTAssertEqual(try ConfigLoader.load(path: folder.configPath).config.distributed.bucketMB, 0.5, "the run folder's config has the new key")
    }
}
