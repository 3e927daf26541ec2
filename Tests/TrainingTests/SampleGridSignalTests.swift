import Checkpoint
import Foundation
import XCTest
@testable import Training

/// Issue 19: the checkpoint of a step comes before its sample grid, and a signal that arrives
/// while the grid is drawn stops it within a sampler step (in process, one rank; the grid is
/// `GridProbe`'s: 500 steps of 1 ms, the signal sent before its third).
extension TrainerTests {
    func log(_ run: String) throws -> String {
        try String(contentsOfFile: RunFolder(path: dir + "/" + run).logPath, encoding: .utf8)
    }

    func grid(_ run: String, step: Int) -> String {
        RunFolder(path: dir + "/" + run).samplesPath + String(format: "/step-%08d.png", step)
    }

    func checkpointSteps(_ run: String) -> [Int] {
        RunFolder(path: dir + "/" + run).checkpoints.checkpoints().map(\.step)
    }

    func testTheCheckpointOfAStepIsWrittenBeforeItsGrid() throws {
        let probe = GridProbe(runFolder: dir + "/order")
        let (outcome, _) = try train("order", overrides: ["train.sample_every=2", "sample.count=4"], grids: probe)
        XCTAssertEqual(outcome, .finished(step: 6))
        XCTAssertEqual(probe.grids, [2, 4, 6].map { GridProbe.Grid(step: $0, completed: true, checkpointed: true) })
        for step in [2, 4, 6] { XCTAssertTrue(FileManager.default.fileExists(atPath: grid("order", step: step)), "grid of step \(step)") }
    }

    func testSigtermDuringAGridAbandonsItCheckpointsAndResumesExactly() throws {
        let overrides = ["train.sample_every=3", "sample.count=4"]   // checkpoint_every 2: step 3 has none before its grid
        let (_, reference) = try train("full", overrides: overrides, grids: GridProbe(runFolder: dir + "/full"))

        let probe = GridProbe(runFolder: dir + "/cut", signalStep: 3, signal: SIGTERM)
        let (stopped, first) = try train("cut", overrides: overrides, grids: probe)
        XCTAssertEqual(stopped, .stoppedBySignal(step: 3))
        XCTAssertEqual(probe.grids, [GridProbe.Grid(step: 3, completed: false, checkpointed: false)])
        XCTAssertEqual(checkpointSteps("cut"), [2, 3])
        XCTAssertFalse(FileManager.default.fileExists(atPath: grid("cut", step: 3)), "an abandoned grid leaves no file")
        let log = try log("cut")
        XCTAssertTrue(log.contains("step 3: SIGTERM received while drawing the sample grid; grid abandoned after "), log)
        XCTAssertTrue(log.contains(" s; checkpointing and stopping"), log)

        let (resumed, second) = try train("cut", resume: .auto, overrides: overrides, grids: GridProbe(runFolder: dir + "/cut"))
        XCTAssertEqual(resumed, .finished(step: 6))
        XCTAssertEqual(Array(second.keys).sorted(), [4, 5, 6])
        XCTAssertEqual(first.merging(second) { a, _ in a }, reference, "the resumed run must repeat the uninterrupted losses exactly")
        XCTAssertEqual(try finalParameters("cut"), try finalParameters("full"))
    }

    func testSigtermDuringTheGridOfACheckpointedStepStopsWithoutAnotherCheckpoint() throws {
        let probe = GridProbe(runFolder: dir + "/term", signalStep: 4, signal: SIGTERM)
        let (stopped, _) = try train("term", overrides: ["train.sample_every=2", "sample.count=4"], grids: probe)
        XCTAssertEqual(stopped, .stoppedBySignal(step: 4))
        XCTAssertEqual(probe.grids.last, GridProbe.Grid(step: 4, completed: false, checkpointed: true))
        XCTAssertEqual(checkpointSteps("term"), [2, 4])
        let log = try log("term")
        XCTAssertTrue(log.contains("grid abandoned after "), log)
        XCTAssertTrue(log.contains("; stopping (step 4 is already checkpointed)"), log)
    }

    func testSigusr1DuringAGridCheckpointsThenDrawsItAgainAndContinues() throws {
        let probe = GridProbe(runFolder: dir + "/usr1", signalStep: 3, signal: SIGUSR1)
        let (outcome, _) = try train("usr1", overrides: ["train.sample_every=3", "sample.count=4"], grids: probe)
        XCTAssertEqual(outcome, .finished(step: 6))
        XCTAssertEqual(probe.grids, [GridProbe.Grid(step: 3, completed: false, checkpointed: false),
                                     GridProbe.Grid(step: 3, completed: true, checkpointed: true),
                                     GridProbe.Grid(step: 6, completed: true, checkpointed: true)])
        XCTAssertEqual(checkpointSteps("usr1"), [2, 3, 4, 6])
        XCTAssertTrue(FileManager.default.fileExists(atPath: grid("usr1", step: 3)))
        let log = try log("usr1")
        XCTAssertTrue(log.contains("step 3: SIGUSR1 received while drawing the sample grid; grid abandoned after "), log)
        XCTAssertTrue(log.contains("; checkpointing, then drawing the grid again"), log)
    }

    func testSigusr1DuringTheGridOfACheckpointedStepLetsItFinish() throws {
        let probe = GridProbe(runFolder: dir + "/done", signalStep: 4, signal: SIGUSR1)
        let (outcome, _) = try train("done", overrides: ["train.sample_every=2", "sample.count=4"], grids: probe)
        XCTAssertEqual(outcome, .finished(step: 6))
        XCTAssertEqual(probe.grids.map(\.completed), [true, true, true])
        XCTAssertEqual(checkpointSteps("done"), [2, 4, 6], "the request is met by step 4's checkpoint, not repeated at step 5")
        let log = try log("done")
        XCTAssertTrue(log.contains("step 4: SIGUSR1 received while drawing the sample grid; step 4 is already checkpointed; continuing"), log)
    }

    func testSigusr1WithExitOnSignalDuringAGridCheckpointsAndStops() throws {
        let probe = GridProbe(runFolder: dir + "/exit", signalStep: 3, signal: SIGUSR1)
        let (outcome, _) = try train("exit", overrides: ["train.sample_every=3", "sample.count=4"], exitOnSignal: true, grids: probe)
        XCTAssertEqual(outcome, .stoppedBySignal(step: 3))
        XCTAssertEqual(probe.grids, [GridProbe.Grid(step: 3, completed: false, checkpointed: false)])
        XCTAssertEqual(checkpointSteps("exit"), [2, 3])
    }

    func testASignalAtAStepBoundarySkipsTheGridOfThatStep() throws {
        let probe = GridProbe(runFolder: dir + "/skip")
        let (outcome, _) = try train("skip", overrides: ["train.sample_every=2", "sample.count=4"], signalAt: 3, signal: SIGTERM, grids: probe)
        XCTAssertEqual(outcome, .stoppedBySignal(step: 4))
        XCTAssertEqual(probe.grids.map(\.step), [2], "no grid is drawn at the step the run stops at")
        XCTAssertEqual(checkpointSteps("skip"), [2, 4])
        XCTAssertTrue(try log("skip").contains("step 4: sample grid skipped (stopping on a signal)"))
    }
}
