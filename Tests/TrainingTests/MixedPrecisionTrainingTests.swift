import Checkpoint
import Distributed
import Foundation
import NN
import Tensor
import XCTest
@testable import Config
@testable import Training

/// `train.precision: bf16`: emulated bf16 (`DIFFUSE_BF16=emulate`) trains the tiny UNet of
/// `TrainingProcessTests` along fp32's losses, the run records its precision, checkpoints stay
/// fp32, and without bf16 instructions a bf16 request runs fp32 with a one-line notice.
final class MixedPrecisionTrainingTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = try TrainerFixtures.temporaryFolder()
        try TrainingProcessTests.yaml.write(toFile: dir + "/tiny.yaml", atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        unsetenv("DIFFUSE_BF16")
        MixedPrecision.set(.fp32)
        try? FileManager.default.removeItem(atPath: dir)
    }

    func train(_ run: String, precision: String, steps: Int = 12) throws -> [Int: Double] {
        var losses: [Int: Double] = [:]
        let options = TrainOptions(configPath: dir + "/tiny.yaml", overrides: ["train.precision=\(precision)", "train.steps=\(steps)"],
                                   runDirectory: dir + "/" + run)
        let outcome = try TrainingRun.run(options, communicator: SingleProcessCommunicator(), onStep: { losses[$0.step] = $0.loss })
        XCTAssertEqual(outcome, .finished(step: steps))
        return losses
    }

    func log(_ run: String) throws -> String {
        try String(contentsOfFile: RunFolder(path: dir + "/" + run).logPath, encoding: .utf8)
    }

    func checkpointValues(_ run: String) throws -> [Float] {
        let path = try XCTUnwrap(RunFolder(path: dir + "/" + run).checkpoints.newestValid()?.path)
        let config = try ConfigLoader.load(yaml: try CheckpointReader.metadata(path).config).config
        let set = ParameterSet(try TrainingSetup.components(config).model)
        return try CheckpointReader.read(path, layout: (set.names, set.shapes)).model.values.scalars
    }

    func testEmulatedBF16FollowsFP32AndRecordsItsPrecision() throws {
        let fp32 = try train("fp32", precision: "fp32")
        setenv("DIFFUSE_BF16", "emulate", 1)
        let bf16 = try train("bf16", precision: "bf16")
        unsetenv("DIFFUSE_BF16")
        XCTAssertEqual(MixedPrecision.mode, .bf16Emulated)
        MixedPrecision.set(.fp32)

        var differs = false
        for step in 1...12 {
            let (a, b) = (try XCTUnwrap(fp32[step]), try XCTUnwrap(bf16[step]))
            // Measured: relative differences up to 1.4e-4 (0 at step 1: the UNet's last
            // convolution starts at zero, so both predict 0).
            XCTAssertEqual(b, a, accuracy: 2e-3 * abs(a), "step \(step): bf16 loss \(b) vs fp32 \(a)")
            differs = differs || a != b
        }
        XCTAssertTrue(differs, "rounding the operands to bf16 changes the losses")

        XCTAssertTrue(try log("bf16").contains("precision bf16 emulated (DIFFUSE_BF16=emulate)"))
        XCTAssertTrue(try log("fp32").contains("precision fp32"))
        XCTAssertEqual(try ConfigLoader.load(path: RunFolder(path: dir + "/bf16").configPath).config.train.precision, .bf16)
        // Master weights (and so checkpoints) stay fp32: not every value is a bf16 number.
        let values = try checkpointValues("bf16")
        XCTAssertTrue(values.contains { $0.bitPattern & 0xFFFF != 0 }, "checkpoint values are full fp32")
    }

    func testBF16RequestOnThisCPU() throws {
        let fp32 = try train("fp32", precision: "fp32", steps: 4)
        let bf16 = try train("bf16", precision: "bf16", steps: 4)
        let notices = try log("bf16").split(separator: "\n").filter { $0.contains("precision") && !$0.contains(" config ") }
        XCTAssertEqual(notices.count, 1, "one line about the precision: \(notices)")
        if CPUFeatures.bf16 && OneDNNBF16.available {
            XCTAssertTrue(notices[0].hasSuffix("precision bf16"), "\(notices)")
            for step in 1...4 { XCTAssertEqual(bf16[step]!, fp32[step]!, accuracy: 2e-3 * fp32[step]!) }
        } else {
            XCTAssertTrue(notices[0].contains("precision bf16 requested, but") && notices[0].hasSuffix("running in fp32"), "\(notices)")
            XCTAssertEqual(bf16, fp32, "the fallback trains exactly as fp32")
        }
    }

    func testPrecisionIsValidated() throws {
        XCTAssertThrowsError(try ConfigLoader.load(yaml: "", overrides: ["train.precision=fp16"])) {
            XCTAssertTrue("\($0)".contains("train.precision: 'fp16' is not one of fp32, bf16"), "\($0)")
        }
        XCTAssertEqual(try ConfigLoader.load(yaml: "train:\n  precision: bf16\n").config.train.precision, .bf16)
        XCTAssertThrowsError(try ConfigLoader.load(yaml: "train:\n  precision: half\n")) {
            XCTAssertTrue("\($0)".contains("train.precision: 'half' is not one of fp32, bf16"), "\($0)")
        }
    }

    func testBadDIFFUSE_BF16IsAClearError() throws {
        setenv("DIFFUSE_BF16", "maybe", 1)
        XCTAssertThrowsError(try train("bad", precision: "bf16", steps: 1)) {
            XCTAssertTrue("\($0)".contains("DIFFUSE_BF16=maybe is not understood"), "\($0)")
        }
    }
}

/// np-equivalence and exact resume in emulated bf16, with the built `diffuse-train`.
extension TrainingProcessTests {
    static let emulatedBF16 = ["DIFFUSE_BF16": "emulate"]

    func testEmulatedBF16SameLossesOn1And2RanksAndExactResume() throws {
        let bf16 = ["--config", "tiny.yaml", "--set", "train.precision=bf16"]
        let one = finish(try start(bf16 + ["--run-dir", "np1"], environment: Self.emulatedBF16))
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertTrue(one.stdout.contains("precision bf16 emulated"), one.stdout)
        let two = finish(try start(bf16 + ["--run-dir", "np2"], ranks: 2, environment: Self.emulatedBF16))
        XCTAssertEqual(two.status, 0, two.stderr)
        // 2 ranks sum in another order (differences of ~1e-7, as in fp32); rounding to bf16
        // turns the few that straddle a rounding boundary into one-ulp (2^-8) steps, so the runs
        // drift apart faster than in fp32 (measured: up to 1.2e-4 in the loss, 1.7e-4 in the
        // parameters after 20 steps; bf16 itself moves these losses by up to 1.4e-4 from
        // fp32's). Other noise, data or dropout on a rank would be off by far more.
        assertLossesClose(try losses("np1"), try losses("np2"), steps: 1...20, "bf16 emulated, np 2 vs 1", tolerance: 1e-3)
        assertClose(try parameters("np1"), try parameters("np2"), "bf16 emulated parameters after 20 steps, np 2 vs 1", tolerance: 1e-3)

        let first = finish(try start(bf16 + ["--run-dir", "split", "--set", "train.steps=10"], environment: Self.emulatedBF16))
        XCTAssertEqual(first.status, 0, first.stderr)
        let second = finish(try start(bf16 + ["--run-dir", "split", "--resume", "auto"], environment: Self.emulatedBF16))
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(try losses("split"), try losses("np1"), "a resumed bf16 run repeats the uninterrupted losses exactly")
        XCTAssertEqual(try parameters("split"), try parameters("np1"))
    }
}
