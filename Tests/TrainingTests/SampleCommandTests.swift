import Checkpoint
import Data
import Foundation
import HDF5
import Tensor
import XCTest
@testable import Config
@testable import Sampling
@testable import Training

final class SampleCommandTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try SampleFixtures.temporaryFolder() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }

    func sample(_ checkpoint: String, _ configure: (inout SampleOptions) -> Void) throws -> SampleResult {
        var o = SampleOptions(checkpoint: checkpoint)
        configure(&o)
        return try SampleRun.run(o, reporter: SampleFixtures.quietReporter())
    }

    func testSameSeedSameSamplesWhateverTheBatchSize() throws {
        let ckpt = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.mlpYAML, directory: path("run/checkpoints"))
        for sampler in ["heun", "ddpm", "pc"] {
            let runs = try [7, 3, 1].map { batch in
                try sample(ckpt) { $0.sampler = sampler; $0.count = 7; $0.seed = 5; $0.batch = batch; $0.steps = 5 }.samples!
            }
            XCTAssertEqual(runs[0].shape, [7, 2])
            XCTAssertTrue(runs[0].isFinite)
            // Batches of other sizes round the backbone's matrix products differently, nothing more.
            XCTAssertLessThan(runs[0].maxAbsDifference(runs[1]), 1e-4, "\(sampler): batch 7 vs 3")
            XCTAssertLessThan(runs[0].maxAbsDifference(runs[2]), 1e-4, "\(sampler): batch 7 vs 1")
            let again = try sample(ckpt) { $0.sampler = sampler; $0.count = 7; $0.seed = 5; $0.batch = 3; $0.steps = 5 }.samples!
            XCTAssertEqual(runs[1].scalars, again.scalars, "\(sampler): repeated run")
            // Sample k does not depend on how many are drawn.
            let fewer = try sample(ckpt) { $0.sampler = sampler; $0.count = 3; $0.seed = 5; $0.steps = 5 }.samples!
            XCTAssertEqual(runs[1].slice(0..<3).scalars, fewer.scalars)
            let other = try sample(ckpt) { $0.sampler = sampler; $0.count = 7; $0.seed = 6; $0.steps = 5 }.samples!
            XCTAssertGreaterThan(runs[0].maxAbsDifference(other), 1e-3, "\(sampler): another seed gives other samples")
        }
    }

    func testEMAAndModelWeightsDiffer() throws {
        let ckpt = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.mlpYAML, directory: path("c"))
        let ema = try sample(ckpt) { $0.count = 4 }.samples!
        let model = try sample(ckpt) { $0.count = 4; $0.weights = .model }.samples!
        XCTAssertGreaterThan(ema.maxAbsDifference(model), 1e-4)
    }

    func testInitReproducesAnotherSeedsSamples() throws {
        let ckpt = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.unetYAML, directory: path("c"))
        let first = try sample(ckpt) { $0.count = 3; $0.seed = 1; $0.h5 = path("first.h5") }
        let replay = try sample(ckpt) { $0.count = 3; $0.seed = 2; $0.initPath = path("first.h5") }
        XCTAssertEqual(first.samples!.scalars, replay.samples!.scalars)
        XCTAssertEqual(first.initial!.scalars, replay.initial!.scalars)
        let fresh = try sample(ckpt) { $0.count = 3; $0.seed = 2 }
        XCTAssertGreaterThan(fresh.samples!.maxAbsDifference(first.samples!), 1e-3)

        // Too few rows, or a wrong shape, are refused.
        XCTAssertThrowsError(try sample(ckpt) { $0.count = 4; $0.initPath = path("first.h5") }) { error in
            XCTAssertTrue("\(error)".contains("expected [N] + [1, 16, 16] with N >= --count 4"), "\(error)")
        }
    }

    func testOutputsOfAnImageCheckpoint() throws {
        let ckpt = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.unetYAML, directory: path("c"), step: 42)
        let result = try sample(ckpt) {
            $0.count = 5; $0.seed = 3; $0.out = path("grid.png"); $0.h5 = path("s.h5"); $0.trajectory = path("t.png")
            $0.trajectoryFrames = 4; $0.trajectorySamples = 2
        }
        XCTAssertEqual(result.written, [path("grid.png"), path("s.h5"), path("t.png")])
        // 5 images of 16x16, drawn at 64x64, in 3 columns and 2 rows with 1-pixel padding.
        let grid = try PNGImage.read(path: path("grid.png"))
        XCTAssertEqual([grid.width, grid.height, grid.channels], [3 * 65 + 1, 2 * 65 + 1, 1])
        let expected = ImageGrid.image(of: result.samples!, columns: 3)
        XCTAssertEqual(grid.pixels, expected.pixels)
        // Trajectory: 2 rows (samples) of 4 frames (3 intermediate + final).
        let trajectory = try PNGImage.read(path: path("t.png"))
        XCTAssertEqual([trajectory.width, trajectory.height], [4 * 65 + 1, 2 * 65 + 1])
        XCTAssertEqual(result.trajectory?.count, 4)
        XCTAssertEqual(result.trajectory?.last?.scalars, result.samples!.slice(0..<2).scalars)

        let file = try H5File.open(path("s.h5"))
        defer { try? file.close() }
        let samples = try file.dataset(named: "samples")
        XCTAssertEqual(samples.shape, [5, 1, 16, 16])
        XCTAssertEqual(try samples.read(as: Float.self), result.samples!.scalars)
        XCTAssertEqual(try file.stringAttribute("checkpoint"), ckpt)
        XCTAssertEqual(try file.stringAttribute("sampler"), "euler")
        XCTAssertEqual(try file.attribute("seed", as: Int64.self), 3)
        XCTAssertEqual(try file.attribute("steps", as: Int64.self), 4)
        XCTAssertEqual(try file.attribute("checkpoint_step", as: Int64.self), 42)
        XCTAssertEqual(try file.dataset(named: "initial").shape, [5, 1, 16, 16])
        // No temporary files are left behind.
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir).contains { $0.contains(".partial") })
    }

    func testAnimatedTrajectoryOfPoints() throws {
        let ckpt = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.mlpYAML, directory: path("c"))
        let result = try sample(ckpt) { $0.count = 20; $0.out = path("scatter.png"); $0.trajectory = path("t.gif"); $0.trajectoryFrames = 5 }
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path("t.gif"))))
        let decoded = try GIFTestDecoder.decode(bytes)
        XCTAssertEqual(decoded.frames.count, 5)
        XCTAssertEqual(decoded.width, 258)
        // The last frame is the scatter plot of the final samples.
        let last = ImageGrid.image(of: SampleGrid.scatter(result.samples!, size: 256, extent: 4), columns: 1)
        XCTAssertEqual(decoded.frames.last, last.pixels)
        let scatter = try PNGImage.read(path: path("scatter.png"))
        XCTAssertEqual(scatter.pixels, last.pixels)
    }

    func testAnimatedTrajectoryOfColourImages() throws {
        let rgb = SampleFixtures.unetYAML.replacingOccurrences(of: "source: shapes16", with: "source: shapes16-rgb")
        let ckpt = try SampleFixtures.writeCheckpoint(yaml: rgb, directory: path("c"))
        let result = try sample(ckpt) { $0.count = 4; $0.steps = 3; $0.trajectory = path("t.gif"); $0.trajectoryFrames = 3 }
        XCTAssertEqual(result.samples!.shape, [4, 3, 16, 16])
        let decoded = try GIFTestDecoder.decode(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path("t.gif")))))
        XCTAssertEqual(decoded.palette, GIFEncoder.rgb332Palette)
        XCTAssertEqual(decoded.frames.count, 3)
        // 4 samples in a 2x2 grid, 16x16 drawn at 64x64; the last frame is the final samples
        // quantised to 3-3-2 colours.
        XCTAssertEqual([decoded.width, decoded.height], [2 * 65 + 1, 2 * 65 + 1])
        let grid = ImageGrid.image(of: result.samples!, columns: 2)
        XCTAssertEqual(decoded.frames.last, GIFEncoder.frame(width: grid.width, height: grid.height, channels: 3, pixels: grid.pixels).indices)
    }

    func testRunFolderGivesItsNewestValidCheckpoint() throws {
        let run = path("run")
        try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.mlpYAML, directory: run + "/checkpoints", step: 10)
        let newer = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.mlpYAML, directory: run + "/checkpoints", step: 20)
        XCTAssertEqual(try CheckpointModel.resolve(run).path, newer)
        XCTAssertEqual(try CheckpointModel(path: run).metadata.step, 20)
        // A damaged newest checkpoint is skipped.
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: run + "/checkpoints/step-00000030.h5"))
        XCTAssertEqual(try CheckpointModel.resolve(run).path, newer)
        XCTAssertThrowsError(try CheckpointModel.resolve(path("empty-does-not-exist")))
        try FileManager.default.createDirectory(atPath: path("empty"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try CheckpointModel.resolve(path("empty"))) { error in
            XCTAssertTrue("\(error)".contains("holds no checkpoint"), "\(error)")
        }
    }

    func testRunFolderFallsBackToTheNewestCheckpointThatVerifiesAndSaysSo() throws {
        let run = path("run")
        let older = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.mlpYAML, directory: run + "/checkpoints", step: 10)
        let newer = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.mlpYAML, directory: run + "/checkpoints", step: 20)
        try CheckpointDamage.corrupt(newer, group: "ema", tensor: "out.weight")
        XCTAssertThrowsError(try CheckpointModel(path: newer)) { e in
            XCTAssertTrue("\(e)".hasPrefix("\(newer): tensor /ema/out.weight is damaged"), "\(e)")
        }
        let model = try CheckpointModel(path: run)
        XCTAssertEqual(model.path, older)
        XCTAssertEqual(model.metadata.step, 10)
        XCTAssertEqual(model.warnings.count, 2)
        XCTAssertTrue(model.warnings[0].hasPrefix("skipping a checkpoint that does not verify: \(newer): tensor /ema/out.weight is damaged"), "\(model.warnings)")
        XCTAssertEqual(model.warnings[1], "using \(older) (step 10), the newest checkpoint that verifies")

        try CheckpointDamage.makeFormatVersion1(older)
        XCTAssertEqual(try CheckpointModel(path: older).warnings, [CheckpointReader.unverifiedWarning(older)])
        try CheckpointDamage.corrupt(older, group: "model", tensor: "out.weight")
        XCTAssertEqual(try CheckpointModel(path: run).path, older, "without checksums the damage cannot be seen")
    }

    /// Refusals come before anything is written: an existing output stays as it was.
    func assertRefused(_ checkpoint: String, contains fragments: [String], weights: WeightsChoice = .ema,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let out = path("keep.png")
        try Data("previous".utf8).write(to: URL(fileURLWithPath: out))
        XCTAssertThrowsError(try sample(checkpoint) { $0.out = out; $0.weights = weights }, file: file, line: line) { error in
            let text = ErrorParagraph.text(error)
            for f in fragments { XCTAssertTrue(text.contains(f), "'\(f)' not in: \(text)", file: file, line: line) }
            XCTAssertFalse(text.contains("\n"), file: file, line: line)
        }
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), "previous", file: file, line: line)
    }

    func testRefusesFilesThatAreNotUsableCheckpoints() throws {
        // Not a Diffuse file: an HDF5 file without the format attribute.
        let foreign = path("foreign.h5")
        let f = try H5File.create(foreign)
        try f.createDataset("x", values: [Float(1), 2], shape: [2])
        try f.close()
        try assertRefused(foreign, contains: [foreign, "not a Diffuse checkpoint"])

        // Not HDF5 at all, and a truncated checkpoint.
        let text = path("notes.h5")
        try Data("hello".utf8).write(to: URL(fileURLWithPath: text))
        try assertRefused(text, contains: [text, "not a readable HDF5 file"])
        let good = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.mlpYAML, directory: path("c"))
        let whole = try Data(contentsOf: URL(fileURLWithPath: good))
        let truncated = path("truncated.h5")
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: truncated))
        try assertRefused(truncated, contains: [truncated, "truncated"])

        // Weights of another architecture than the stored config describes.
        let wider = SampleFixtures.mlpYAML.replacingOccurrences(of: "hidden_widths: [16, 16]", with: "hidden_widths: [16, 12]")
        let mismatched = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.mlpYAML, directory: path("m"), layoutYAML: wider)
        try assertRefused(mismatched, contains: [mismatched, "do not match the model", "mis-shaped",
                                                 "layers.1.weight (expected [16, 16], found [12, 16])"])
        let deeper = SampleFixtures.mlpYAML.replacingOccurrences(of: "hidden_widths: [16, 16]", with: "hidden_widths: [16, 16, 16]")
        let extra = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.mlpYAML, directory: path("e"), layoutYAML: deeper)
        try assertRefused(extra, contains: ["unexpected", "layers.2.weight"])

        // No EMA weights when they are asked for.
        let noEMA = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.mlpYAML, directory: path("n"), withEMA: false)
        try assertRefused(noEMA, contains: ["no /ema group", "--weights model"])
        XCTAssertNoThrow(try sample(noEMA) { $0.weights = .model; $0.count = 2 })
    }

    func testRefusesBadOptions() throws {
        let ckpt = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.mlpYAML, directory: path("c"))
        XCTAssertThrowsError(try sample(ckpt) { $0.sampler = "magic" }) { XCTAssertTrue("\($0)".contains("unknown sampler 'magic'"), "\($0)") }
        XCTAssertThrowsError(try sample(ckpt) { $0.grid = "log" }) { XCTAssertTrue("\($0)".contains("--grid 'log'"), "\($0)") }
        XCTAssertThrowsError(try sample(ckpt) { $0.count = 0 }) { XCTAssertTrue("\($0)".contains("--count"), "\($0)") }
        XCTAssertThrowsError(try sample(ckpt) { $0.trajectory = "t.mp4" }) { XCTAssertTrue("\($0)".contains(".png or .gif"), "\($0)") }
    }

    func testEDMGridFinishWithMeanAndProgressLines() throws {
        let ckpt = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.mlpYAML, directory: path("c"))
        let sink = SampleFixtures.Lines()
        var o = SampleOptions(checkpoint: ckpt)
        o.count = 6; o.batch = 4; o.grid = "edm"; o.finishWithMean = true; o.sampler = "zab"
        let r = try SampleRun.run(o, reporter: SampleFixtures.quietReporter(sink))
        XCTAssertTrue(r.samples!.isFinite)
        XCTAssertEqual(sink.lines.count, 2)
        XCTAssertTrue(sink.lines[0].hasPrefix("sampled 4/6 (batch 1/2) "), sink.lines[0])
        XCTAssertTrue(sink.lines[1].hasPrefix("sampled 6/6 (batch 2/2) ") && sink.lines[1].hasSuffix(" images/s\n"), sink.lines[1])
    }

    /// Without --grid, --rho and --finish-with-mean, sampling follows the checkpoint config's
    /// `sample.grid`, `sample.rho` and `sample.finish_with_mean` (as its training grids did);
    /// each option still overrides.
    func testGridAndFinishDefaultToTheCheckpointConfig() throws {
        let yaml = SampleFixtures.mlpYAML + "\n  grid: edm\n  rho: 5\n  finish_with_mean: true\n"
        let ckpt = try SampleFixtures.writeCheckpoint(yaml: yaml, directory: path("g"))
        let defaults = try sample(ckpt) { $0.count = 4 }.samples!.scalars
        let explicit = try sample(ckpt) { $0.count = 4; $0.grid = "edm"; $0.rho = 5; $0.finishWithMean = true }.samples!.scalars
        XCTAssertEqual(defaults, explicit)
        let linear = try sample(ckpt) { $0.count = 4; $0.grid = "linear"; $0.finishWithMean = true }.samples!.scalars
        let otherRho = try sample(ckpt) { $0.count = 4; $0.rho = 7 }.samples!.scalars
        let noFinish = try sample(ckpt) { $0.count = 4; $0.finishWithMean = false }.samples!.scalars
        XCTAssertNotEqual(defaults, linear, "--grid linear overrides the config's edm grid")
        XCTAssertNotEqual(defaults, otherRho, "--rho overrides the config's rho")
        XCTAssertNotEqual(defaults, noFinish, "--no-finish-with-mean overrides the config")
    }

    func testSharesCoverTheCountInOrder() {
        for (count, batch, size) in [(7, 2, 2), (5, 1, 3), (2, 2, 4), (64, 8, 8), (10, 3, 2)] {
            let shares = (0..<size).map { SampleRun.share(count: count, batch: batch, rank: $0, size: size) }
            for s in shares where !s.isEmpty { XCTAssertEqual(s.lowerBound % batch, 0) }
            XCTAssertEqual(shares.first?.lowerBound, 0)
            XCTAssertEqual(shares.last?.upperBound, count)
            for (a, b) in zip(shares, shares.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
        }
    }

    func testErrorParagraphFoldsLines() {
        let e = ConfigError(source: "x.yaml", problems: ["a: bad", "b: worse"])
        XCTAssertEqual(ErrorParagraph.text(e), "x.yaml: 2 problems in the configuration: a: bad; b: worse")
    }
}
