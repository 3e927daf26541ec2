import Checkpoint
import Data
import Foundation
import NN
import XCTest
@testable import Config
@testable import Training

/// Runs the built `diffuse-train` binary, with and without mpirun: equivalence across rank
/// counts, resume with another rank count, signals, and errors on bad input.
final class TrainingProcessTests: XCTestCase {
    var dir = ""

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var binary: String { packageRoot.appendingPathComponent(".build/debug/diffuse-train").path }

    /// A tiny UNet on 16x16 shapes; dropout on, so its masks must be keyed by sample too.
    static let yaml = """
    name: tiny-unet
    data:
      source: shapes16
      count: 256
      flip: true
    model:
      kind: unet
      unet:
        channels_per_depth: [8, 16]
        num_blocks: 1
        attention_depths: [1]
        pos_dim: 8
        emb_dim: 16
        num_groups: 4
        dropout: 0.1
    optim:
      lr: 1.0e-3
    train:
      global_batch: 4
      steps: 20
      seed: 5
      log_every: 1
      sample_every: 0
      checkpoint_every: 0
    distributed:
      first_bucket_mb: 0.01
      bucket_mb: 0.02
    sample:
      count: 0
    """

    override func setUpWithError() throws {
        dir = try TrainerFixtures.temporaryFolder()
        try Self.yaml.write(toFile: dir + "/tiny.yaml", atomically: true, encoding: .utf8)
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Self.binary), "build diffuse-train first (swift build): \(Self.binary)")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Starts `diffuse-train args` (under mpirun with `ranks`), returning the process;
    /// `environment` is added to every rank's.
    func start(_ args: [String], ranks: Int? = nil, environment extra: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = "1"
        environment["DIFFUSE_THREADS"] = "1"
        environment.merge(extra) { _, new in new }
        if let ranks {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "\(ranks)",
                           "-x", "OPENBLAS_NUM_THREADS", "-x", "DIFFUSE_THREADS"] + extra.keys.sorted().flatMap { ["-x", $0] }
                + [Self.binary] + args
        } else {
            p.executableURL = URL(fileURLWithPath: Self.binary)
            p.arguments = args
        }
        p.environment = environment
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        return (p, out, err)
    }

    func finish(_ started: (Process, Pipe, Pipe)) -> Result {
        let (p, out, err) = started
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    func train(_ args: [String], ranks: Int? = nil) throws -> Result {
        finish(try start(args, ranks: ranks))
    }

    func losses(_ run: String) throws -> [Int: Double] {
        var out: [Int: Double] = [:]
        for r in try MetricsLog.read(dir + "/" + run + "/metrics.jsonl") { out[r.step] = r.loss }
        return out
    }

    func parameters(_ run: String) throws -> [Float] {
        let path = try XCTUnwrap(RunFolder(path: dir + "/" + run).checkpoints.newestValid()?.path)
        let config = try ConfigLoader.load(yaml: try CheckpointReader.metadata(path).config).config
        let components = try TrainingSetup.components(config)
        let set = ParameterSet(components.model)
        return try CheckpointReader.read(path, layout: (set.names, set.shapes)).model.values.scalars
    }

    func assertClose(_ a: [Float], _ b: [Float], _ what: String, tolerance: Double = 1e-4, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        var diff = 0.0, norm = 0.0
        for (x, y) in zip(a, b) {
            diff += Double(x - y) * Double(x - y)
            norm += Double(x) * Double(x)
        }
        XCTAssertLessThanOrEqual(diff.squareRoot(), tolerance * norm.squareRoot(), "\(what): relative difference \(diff.squareRoot() / norm.squareRoot())", file: file, line: line)
    }

    func assertLossesClose(_ a: [Int: Double], _ b: [Int: Double], steps: ClosedRange<Int>, _ what: String, tolerance: Double = 1e-4) {
        for s in steps {
            guard let x = a[s], let y = b[s] else { XCTFail("\(what): no loss at step \(s)"); continue }
            XCTAssertEqual(x, y, accuracy: tolerance * abs(x), "\(what): step \(s)")
        }
    }

    func testSameLossesAndParametersOn1_2And4Ranks() throws {
        let one = try train(["--config", "tiny.yaml", "--run-dir", "np1"])
        XCTAssertEqual(one.status, 0, one.stderr)
        for n in [2, 4] {
            let r = try train(["--config", "tiny.yaml", "--run-dir", "np\(n)"], ranks: n)
            XCTAssertEqual(r.status, 0, r.stderr)
            assertLossesClose(try losses("np1"), try losses("np\(n)"), steps: 1...20, "np \(n) vs 1")
            assertClose(try parameters("np1"), try parameters("np\(n)"), "parameters after 20 steps, np \(n) vs 1")
        }
    }

    /// Gradient accumulation (issue 18): 1 rank running its 4 samples as 4 micro-batches, and 2
    /// ranks running theirs as 2 each (the allreduce overlapping the last one's backward over
    /// MPI), train what 4 ranks train with one sample each, up to float summation order.
    func testMicroBatchesOn1And2RanksTrainWhat4RanksTrain() throws {
        let tenSteps = ["--set", "train.steps=10"], micro = ["--set", "train.micro_batch=1"]
        let four = try train(["--config", "tiny.yaml", "--run-dir", "np4"] + tenSteps, ranks: 4)
        XCTAssertEqual(four.status, 0, four.stderr)
        let one = try train(["--config", "tiny.yaml", "--run-dir", "mb1"] + tenSteps + micro)
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertTrue(one.stdout.contains("global batch 4 on 1 rank: 4 per rank as 4 micro-batches of 1"), one.stdout)
        let two = try train(["--config", "tiny.yaml", "--run-dir", "mb2"] + tenSteps + micro, ranks: 2)
        XCTAssertEqual(two.status, 0, two.stderr)
        XCTAssertTrue(two.stdout.contains("global batch 4 on 2 ranks: 2 per rank as 2 micro-batches of 1"), two.stdout)
        for run in ["mb1", "mb2"] {
            assertLossesClose(try losses("np4"), try losses(run), steps: 1...10, "\(run) vs 4 ranks", tolerance: 1e-5)
            assertClose(try parameters("np4"), try parameters(run), "parameters after 10 steps, \(run) vs 4 ranks", tolerance: 1e-5)
        }
    }

    func testResumeOnAnotherRankCountContinuesTheSameRun() throws {
        XCTAssertEqual(try train(["--config", "tiny.yaml", "--run-dir", "whole"]).status, 0)
        let first = try train(["--config", "tiny.yaml", "--run-dir", "split", "--set", "train.steps=10"], ranks: 2)
        XCTAssertEqual(first.status, 0, first.stderr)
        let second = try train(["--config", "tiny.yaml", "--run-dir", "split", "--resume", "auto"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("written by 2 rank(s), now 1"), second.stdout)
        assertLossesClose(try losses("whole"), try losses("split"), steps: 1...20, "2 ranks then 1 vs 1 throughout")
        assertClose(try parameters("whole"), try parameters("split"), "parameters after 20 steps")
    }

    /// A class-conditional run (the 4 classes of shapes16, label dropout 0.3): the same losses
    /// and parameters on 2 ranks as on 1, an exact resume, and grids with one row per class,
    /// drawn by both ranks (20 images: rank 0 draws a group of 16, rank 1 the other 4).
    func testClassConditionalRunOn2RanksAndResumedIsTheSameRun() throws {
        let conditional = ["--set", "model.unet.num_classes=4", "--set", "train.label_dropout=0.3", "--set", "train.steps=8"]
        let grids = ["--set", "train.sample_every=4", "--set", "sample.count=20", "--set", "sample.steps=2", "--set", "sample.guidance=2"]
        let one = try train(["--config", "tiny.yaml", "--run-dir", "c1"] + grids + conditional)
        XCTAssertEqual(one.status, 0, one.stderr)
        let two = try train(["--config", "tiny.yaml", "--run-dir", "c2"] + grids + conditional, ranks: 2)
        XCTAssertEqual(two.status, 0, two.stderr)
        assertLossesClose(try losses("c1"), try losses("c2"), steps: 1...8, "conditional, np 2 vs 1")
        assertClose(try parameters("c1"), try parameters("c2"), "conditional parameters after 8 steps, np 2 vs 1")
        let unconditional = try train(["--config", "tiny.yaml", "--run-dir", "u", "--set", "train.steps=8"])
        XCTAssertEqual(unconditional.status, 0, unconditional.stderr)
        XCTAssertNotEqual(try losses("u")[8], try losses("c1")[8], "the labels change the run")

        let first = try train(["--config", "tiny.yaml", "--run-dir", "c3"] + conditional + ["--set", "train.steps=4"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let second = try train(["--config", "tiny.yaml", "--run-dir", "c3", "--resume", "auto"] + conditional)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(try losses("c1"), try losses("c3"), "resumed at step 4: the same losses")
        XCTAssertEqual(try parameters("c1"), try parameters("c3"), "resumed at step 4: the same parameters")

        // Grids of 4 classes x 5 columns of 16x16 images drawn at 64x64; the one of 2 ranks is
        // that of 1 (up to the rounding of the weights trained on 2 ranks).
        for step in [4, 8] {
            let a = try PNGImage.read(path: dir + String(format: "/c1/samples/step-%08d.png", step))
            let b = try PNGImage.read(path: dir + String(format: "/c2/samples/step-%08d.png", step))
            XCTAssertEqual([a.width, a.height], [5 * 65 + 1, 4 * 65 + 1])
            XCTAssertEqual([b.width, b.height], [a.width, a.height])
            let worst = zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 255
            XCTAssertLessThanOrEqual(worst, 2, "step \(step): grid of 2 ranks vs 1")
        }
        XCTAssertTrue(two.stdout.contains("on 2 rank(s))"), two.stdout)
    }

    /// Polls the metrics file until it reports `step` (bounded).
    func waitForStep(_ run: String, _ step: Int) {
        for _ in 0..<600 {
            if let records = try? MetricsLog.read(dir + "/" + run + "/metrics.jsonl"), (records.last?.step ?? 0) >= step { return }
            usleep(100_000)
        }
        XCTFail("\(run) did not reach step \(step) within 60 s")
    }

    func testSigusr1ThroughMpirunCheckpointsAndExits() throws {
        let started = try start(["--config", "tiny.yaml", "--run-dir", "usr1", "--set", "train.steps=100000", "--exit-on-signal"], ranks: 2)
        waitForStep("usr1", 2)
        kill(started.0.processIdentifier, SIGUSR1)
        let r = finish(started)
        XCTAssertEqual(r.status, 0, r.stderr)
        let newest = try XCTUnwrap(RunFolder(path: dir + "/usr1").checkpoints.newestValid())
        XCTAssertGreaterThan(newest.metadata.step, 2)
        XCTAssertEqual(newest.metadata.worldSize, 2)
        XCTAssertEqual(try MetricsLog.read(dir + "/usr1/metrics.jsonl").last?.step, newest.metadata.step)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/usr1/COMPLETED"))
    }

    func testSigtermCheckpointsAndExitsZero() throws {
        let started = try start(["--config", "tiny.yaml", "--run-dir", "term", "--set", "train.steps=100000"])
        waitForStep("term", 2)
        kill(started.0.processIdentifier, SIGTERM)
        let r = finish(started)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("SIGTERM received"), r.stdout)
        let newest = try XCTUnwrap(RunFolder(path: dir + "/term").checkpoints.newestValid())
        XCTAssertGreaterThan(newest.metadata.step, 2)
    }

    /// An MLP on two-moons whose sample grid (4,096 points, 100,000 Euler steps) takes many
    /// minutes: far longer than any launcher's grace period. Steps 5 and 10 checkpoint and draw.
    static let slowGridYAML = """
    name: slow-grid
    data:
      source: two-moons
      count: 256
    model:
      kind: mlp
      mlp:
        hidden_widths: [16, 16]
        pos_dim: 4
        emb_dim: 4
    train:
      global_batch: 16
      steps: 12
      seed: 9
      log_every: 1
      sample_every: 5
      checkpoint_every: 5
    sample:
      sampler: euler
      steps: 100000
      count: 4096
    """

    /// Polls the run's log until `text` appears `times` times (bounded).
    func waitForLog(_ run: String, _ text: String, times: Int = 1) {
        for _ in 0..<600 {
            if let log = try? String(contentsOfFile: dir + "/" + run + "/log.txt", encoding: .utf8),
               log.components(separatedBy: text).count > times { return }
            usleep(100_000)
        }
        XCTFail("\(run) did not log '\(text)' \(times) time(s) within 60 s")
    }

    /// Issue 19: SIGTERM while the grid of a checkpointed step is drawn stops the process
    /// within seconds, exit 0, with that step's checkpoint; the run resumes exactly from it.
    func testSigtermDuringASlowGridStopsWithinSecondsAndResumesExactly() throws {
        try Self.slowGridYAML.write(toFile: dir + "/slow.yaml", atomically: true, encoding: .utf8)
        let started = try start(["--config", "slow.yaml", "--run-dir", "cut"])
        waitForLog("cut", "step 5: drawing the sample grid")
        usleep(500_000)
        let sent = Date()
        kill(started.0.processIdentifier, SIGTERM)
        let r = finish(started)
        XCTAssertLessThan(Date().timeIntervalSince(sent), 10, "the process must act on SIGTERM within seconds")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("step 5: SIGTERM received while drawing the sample grid; grid abandoned after "), r.stdout)
        XCTAssertTrue(r.stdout.contains("; stopping (step 5 is already checkpointed)"), r.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/cut/samples/step-00000005.png"))
        XCTAssertEqual(RunFolder(path: dir + "/cut").checkpoints.checkpoints().map(\.step), [5])
        XCTAssertEqual(try MetricsLog.read(dir + "/cut/metrics.jsonl").last?.step, 5, "no step after the signal")

        // Resume (grids off: the next one would take minutes) and compare with an uninterrupted run.
        let resumed = try train(["--config", "slow.yaml", "--run-dir", "cut", "--resume", "auto", "--set", "sample.count=0"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("step-00000005.h5 at step 5"), resumed.stdout)
        let whole = try train(["--config", "slow.yaml", "--run-dir", "whole", "--set", "sample.count=0"])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        XCTAssertEqual(try losses("cut"), try losses("whole"), "the resumed run must repeat the uninterrupted losses exactly")
        XCTAssertEqual(try losses("whole").count, 12)
        XCTAssertEqual(try parameters("cut"), try parameters("whole"))
    }

    /// SIGUSR1 while the grid of a step without a checkpoint is drawn: the grid is abandoned,
    /// the step checkpointed, and the run goes on (drawing the grid again); a SIGTERM then stops
    /// it without another checkpoint.
    func testSigusr1DuringASlowGridCheckpointsAndContinues() throws {
        try Self.slowGridYAML.write(toFile: dir + "/slow.yaml", atomically: true, encoding: .utf8)
        let started = try start(["--config", "slow.yaml", "--run-dir", "usr1", "--set", "train.checkpoint_every=0"])
        waitForLog("usr1", "step 5: drawing the sample grid")
        usleep(500_000)
        kill(started.0.processIdentifier, SIGUSR1)
        waitForLog("usr1", "step 5: drawing the sample grid", times: 2)
        XCTAssertEqual(RunFolder(path: dir + "/usr1").checkpoints.newestValid()?.metadata.step, 5)
        kill(started.0.processIdentifier, SIGTERM)
        let r = finish(started)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("step 5: SIGUSR1 received while drawing the sample grid; grid abandoned after "), r.stdout)
        XCTAssertTrue(r.stdout.contains("; checkpointing, then drawing the grid again"), r.stdout)
        XCTAssertTrue(r.stdout.contains("; stopping (step 5 is already checkpointed)"), r.stdout)
        XCTAssertEqual(RunFolder(path: dir + "/usr1").checkpoints.checkpoints().map(\.step), [5])
        XCTAssertFalse(try parameters("usr1").isEmpty, "the checkpoint loads")
    }

    /// A signal that arrives while rank 0 writes a checkpoint (the others waiting) is acted on
    /// as soon as the write is done, at that step: no further step, no second checkpoint.
    func testSigusr1ThroughMpirunDuringACheckpointWriteStopsAtThatStep() throws {
        let started = try start(["--config", "tiny.yaml", "--run-dir", "write", "--set", "train.steps=100000",
                                 "--set", "train.checkpoint_every=5", "--exit-on-signal"],
                                ranks: 2, environment: [CheckpointTestHook.variable: "pause:3"])
        let partial = dir + "/write/checkpoints/step-00000005.h5.partial"
        for _ in 0..<600 where !FileManager.default.fileExists(atPath: partial) { usleep(50_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: partial), "the checkpoint of step 5 was not being written within 30 s")
        kill(started.0.processIdentifier, SIGUSR1)
        let r = finish(started)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("step 5: SIGUSR1 received while writing the checkpoint; stopping (step 5 is checkpointed)"), r.stdout)
        XCTAssertEqual(RunFolder(path: dir + "/write").checkpoints.checkpoints().map(\.step), [5])
        XCTAssertEqual(try MetricsLog.read(dir + "/write/metrics.jsonl").last?.step, 5)
    }

    func testBadInputGetsOneClearErrorAndNoTrace() throws {
        try "train:\n  steps: 0\n  global_batch: 3\nmodel:\n  kind: transformer\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        let bad = try train(["--config", "bad.yaml", "--run-dir", "bad"], ranks: 2)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("bad.yaml: 3 problems in the configuration"), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("train.global_batch: 3 is not divisible by the 2 ranks"), bad.stderr)
        XCTAssertEqual(bad.stderr.components(separatedBy: "problems in the configuration").count, 2, "reported once, by rank 0: \(bad.stderr)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/bad"), "nothing written for a bad config")

        let missing = try train(["--config", "tiny.yaml", "--run-dir", "m", "--set", "data.source=nowhere/mnist.h5"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.hasPrefix("diffuse-train: error: data.source:"), missing.stderr)
        XCTAssertFalse(missing.stderr.contains("Fatal error") || missing.stderr.contains("Stack dump"), missing.stderr)

        let noConfig = try train(["--run-dir", "x"])
        XCTAssertEqual(noConfig.status, 1)
        XCTAssertTrue(noConfig.stderr.contains("--config is required"), noConfig.stderr)
    }
}
