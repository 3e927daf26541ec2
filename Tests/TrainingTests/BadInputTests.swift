import Checkpoint
import Data
import Distributed
import Foundation
import HDF5
import TestSupport
import XCTest
@testable import Training

/// Bad input to every executable (issue 10), run as processes with `ProcessLauncher`:
/// missing files, folders for files, empty and truncated HDF5 files, HDF5 files of the wrong
/// kind (a dataset given as a checkpoint and the reverse), datasets of the wrong rank, dtype
/// or shape, configs with wrong types, unknown keys, zero or negative sizes and absurd values.
/// Each must exit non-zero with one paragraph on stderr that names the file, key or option
/// and what was expected, without a stack trace, and must leave existing outputs as they were.
final class BadInputTests: XCTestCase {
    var dir = ""

    func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }

    /// Files every case may use: a checkpoint, two datasets, damaged and mistyped HDF5 files,
    /// a folder, a valid config, and output files holding "old" that must stay so.
    override func setUpWithError() throws {
        dir = try SampleFixtures.temporaryFolder()
        let fm = FileManager.default
        try fm.createDirectory(atPath: path("folder"), withIntermediateDirectories: true)
        try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.mlpYAML, directory: path("run/checkpoints"), step: 10)
        try fm.copyItem(atPath: path("run/checkpoints/step-00000010.h5"), toPath: path("checkpoint.h5"))
        try BuiltinDatasets.writeFile("two-moons", count: 64, seed: 1, path: path("moons.h5"))
        try BuiltinDatasets.writeFile("shapes16", count: 16, seed: 1, path: path("shapes.h5"))
        _ = fm.createFile(atPath: path("empty.h5"), contents: Data())
        for (source, target) in [("checkpoint.h5", "truncated-checkpoint.h5"), ("moons.h5", "truncated-data.h5")] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path(source)))
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path(target)))
        }
        // Datasets of the wrong rank and dtype, otherwise well formed.
        for (name, write) in [("rank3.h5", { (f: H5File) in try f.createDataset("images", values: [Float](repeating: 0, count: 24), shape: [4, 3, 2]) }),
                              ("int64.h5", { (f: H5File) in try f.createDataset("images", values: [Int64](repeating: 0, count: 8), shape: [4, 2]) })] {
            let f = try H5File.create(path(name))
            try f.setAttribute("format", DatasetFormat.formatName)
            _ = try write(f)
            try f.close()
        }
        try """
        name: tiny
        data: {source: two-moons, count: 64}
        model: {kind: mlp, mlp: {hidden_widths: [8], pos_dim: 4, emb_dim: 4}}
        train: {global_batch: 8, steps: 2, log_every: 1, sample_every: 0, checkpoint_every: 0}
        sample: {count: 0}
        """.write(toFile: path("tiny.yaml"), atomically: true, encoding: .utf8)
        for name in ["out.png", "out.h5", "out.json", "traj.gif"] {
            try "old".write(toFile: path(name), atomically: true, encoding: .utf8)
        }
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// Runs `tool` with `arguments` and checks the refusal: status, one paragraph on stderr
    /// holding every `expected` text, no trace, the "old" outputs untouched.
    func refuse(_ tool: String, _ arguments: [String], _ expected: [String], status: Int32 = 1,
                file: StaticString = #filePath, line: UInt = #line) throws {
        let binary = try ProcessLauncher.locateProduct(tool)
        let r = try ProcessLauncher().run(binary.path, arguments, timeout: 120)
        let what = "\(tool) \(arguments.joined(separator: " "))"
        XCTAssertFalse(r.timedOut, "\(what): timed out", file: file, line: line)
        XCTAssertEqual(r.status, status, "\(what): exit status; stderr: \(r.errors)", file: file, line: line)
        let text = r.errors.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(text.isEmpty, "\(what): no error message", file: file, line: line)
        XCTAssertFalse(text.contains("\n\n"), "\(what): more than one paragraph: \(text)", file: file, line: line)
        for trace in ["Stack dump", "Fatal error", "Current stack trace", "Segmentation fault", "#0 "] {
            XCTAssertFalse(r.errors.contains(trace), "\(what): a trace (\(trace)): \(r.errors)", file: file, line: line)
        }
        for e in expected {
            XCTAssertTrue(text.contains(e), "\(what): the error does not mention '\(e)': \(text)", file: file, line: line)
        }
        for name in ["out.png", "out.h5", "out.json", "traj.gif"] {
            XCTAssertEqual(try? String(contentsOfFile: path(name), encoding: .utf8), "old", "\(what) changed \(name)", file: file, line: line)
        }
    }

    // MARK: - diffuse-train

    func testTrainRefusesBadConfigs() throws {
        try refuse("diffuse-train", ["--config", path("missing.yaml")], ["missing.yaml", "does not exist"])
        try refuse("diffuse-train", ["--config", path("folder")], ["folder", "is a directory, expected a YAML config file"])
        try "train: [1, 2\n".write(toFile: path("broken.yaml"), atomically: true, encoding: .utf8)
        try refuse("diffuse-train", ["--config", path("broken.yaml")], ["broken.yaml", "not valid YAML"])
        // Wrong type, unknown key, zero and negative sizes: all listed at once, by key.
        try refuse("diffuse-train", ["--config", path("tiny.yaml"), "--run-dir", path("r"), "--set", "train.steps=many", "--set", "train.stepz=3",
                                     "--set", "train.global_batch=0", "--set", "model.mlp.hidden_widths=[-4]", "--set", "optim.lr=-1"],
                   ["tiny.yaml", "train.steps: expected an integer, got 'many'", "train.stepz: unknown key",
                    "train.global_batch: must be > 0, got 0", "model.mlp.hidden_widths.0: must be > 0, got -4", "optim.lr"])
        try refuse("diffuse-train", ["--config", path("tiny.yaml"), "--run-dir", path("r"), "--set", "train.steps=0"], ["train.steps: must be > 0, got 0"])
        // A global batch larger than the data.
        try refuse("diffuse-train", ["--config", path("tiny.yaml"), "--run-dir", path("r"), "--set", "train.global_batch=128"],
                   ["data.count", "fewer than one global batch"])
        try refuse("diffuse-train", ["--config", path("tiny.yaml"), "--run-dir", path("r"), "--set", "data.source=\(path("moons.h5"))",
                                     "--set", "train.global_batch=128"], ["train.global_batch: 128 is larger than", "moons.h5", "64 samples"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("r")), "a refused config created the run folder")
    }

    func testTrainRefusesBadDatasetFiles() throws {
        func source(_ name: String) -> [String] { ["--config", path("tiny.yaml"), "--run-dir", path("r-\(name)"), "--set", "data.source=\(path(name))"] }
        try refuse("diffuse-train", source("absent.h5"), ["data.source", "absent.h5", "does not exist"])
        try refuse("diffuse-train", source("folder/"), ["data.source", "folder", "is a directory, expected a dataset file"])
        try refuse("diffuse-train", source("empty.h5"), ["data.source", "empty.h5", "not a readable HDF5 file"])
        try refuse("diffuse-train", source("truncated-data.h5"), ["data.source", "truncated-data.h5", "truncated"])
        try refuse("diffuse-train", source("checkpoint.h5"), ["data.source", "checkpoint.h5", "expected 'diffuse.dataset'"])
        try refuse("diffuse-train", source("rank3.h5"), ["rank3.h5", "[4, 3, 2]", "expected [N, C, H, W] or [N, D]"])
        try refuse("diffuse-train", source("int64.h5"), ["int64.h5", "expected uint8 or float32"])
        // Images for an MLP: the shape does not fit the model.
        try refuse("diffuse-train", source("shapes.h5") + ["--set", "data.image_size=16"], ["model.kind", "shapes.h5", "use model.kind: unet"])
        // 16x16 images for a config that says 32.
        try refuse("diffuse-train", source("shapes.h5") + ["--set", "data.image_size=32", "--set", "model.kind=unet",
                                                           "--set", "model.unet.channels_per_depth=[8]", "--set", "model.unet.num_groups=4",
                                                           "--set", "model.unet.attention_depths=[]"],
                   ["data.image_size: 32", "shapes.h5", "16x16"])
    }

    func testTrainRefusesBadCheckpointsWithoutTouchingTheRun() throws {
        // A finished run whose outputs must survive every refusal below.
        let ok = try ProcessLauncher().run(try ProcessLauncher.locateProduct("diffuse-train").path,
                                           ["--config", path("tiny.yaml"), "--run-dir", path("done")], timeout: 120)
        XCTAssertEqual(ok.status, 0, ok.errors)
        let outputs = ["metrics.jsonl", "checkpoints/step-00000002.h5", "COMPLETED"].map { path("done/\($0)") }
        let before = try outputs.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let resume = ["--config", path("tiny.yaml"), "--run-dir", path("done"), "--resume"]
        try refuse("diffuse-train", resume + [path("absent.h5")], ["absent.h5", "no such checkpoint file"])
        try refuse("diffuse-train", resume + [path("folder")], ["folder", "is a directory"])
        try refuse("diffuse-train", resume + [path("empty.h5")], ["empty.h5", "not a readable HDF5 file"])
        try refuse("diffuse-train", resume + [path("truncated-checkpoint.h5")], ["truncated-checkpoint.h5", "truncated"])
        try refuse("diffuse-train", resume + [path("moons.h5")], ["moons.h5", "not a Diffuse checkpoint"])
        // A checkpoint of another model (the fixture's [16, 16] MLP) for this config's [8] MLP.
        try refuse("diffuse-train", resume + [path("checkpoint.h5")], ["checkpoint.h5", "do not match the model", "mis-shaped"])
        // A fresh run into the finished run's folder.
        try refuse("diffuse-train", ["--config", path("tiny.yaml"), "--run-dir", path("done")], ["already holds a run", "--resume auto", "--force"])
        XCTAssertEqual(try outputs.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }, before, "a refused launch changed the run's outputs")
    }

    // MARK: - diffuse-sample

    func testSampleRefusesBadInput() throws {
        let out = ["--out", path("out.png"), "--h5", path("out.h5"), "--trajectory", path("traj.gif")]
        try refuse("diffuse-sample", ["--checkpoint", path("absent.h5")] + out, ["absent.h5", "no such checkpoint file"])
        try refuse("diffuse-sample", ["--checkpoint", path("folder")] + out, ["folder", "holds no checkpoint"])
        try refuse("diffuse-sample", ["--checkpoint", path("empty.h5")] + out, ["empty.h5", "not a readable HDF5 file"])
        try refuse("diffuse-sample", ["--checkpoint", path("truncated-checkpoint.h5")] + out, ["truncated-checkpoint.h5", "truncated"])
        try refuse("diffuse-sample", ["--checkpoint", path("moons.h5")] + out, ["moons.h5", "not a Diffuse checkpoint"])
        let ckpt = ["--checkpoint", path("checkpoint.h5")]
        try refuse("diffuse-sample", ckpt + ["--count", "0"] + out, ["--count must be at least 1, got 0"])
        try refuse("diffuse-sample", ckpt + ["--count=-3"] + out, ["--count must be at least 1, got -3"])
        try refuse("diffuse-sample", ckpt + ["--steps", "0"] + out, ["--steps must be at least 1, got 0"])
        try refuse("diffuse-sample", ckpt + ["--batch", "0"] + out, ["--batch must be at least 1, got 0"])
        try refuse("diffuse-sample", ckpt + ["--sampler", "bogus"] + out, ["--sampler", "bogus", "expected one of"])
        try refuse("diffuse-sample", ckpt + ["--weights", "best"] + out, ["--weights 'best'", "ema, model"])
        try refuse("diffuse-sample", ckpt + ["--init", path("moons.h5"), "--count", "4"] + out, ["--init", "moons.h5", "/initial"])
        try refuse("diffuse-sample", ckpt + ["--init", path("folder"), "--count", "4"] + out, ["--init", "folder"])
        // Starting points of the wrong shape for the 2-D model: [4, 3].
        let f = try H5File.create(path("init3.h5"))
        try f.createDataset("initial", values: [Float](repeating: 0, count: 12), shape: [4, 3])
        try f.close()
        try refuse("diffuse-sample", ckpt + ["--init", path("init3.h5"), "--count", "4"] + out, ["--init", "init3.h5", "[4, 3]"])
        try refuse("diffuse-sample", ckpt + ["--out", path("folder/")], ["--out", "folder", ".png"])
    }

    // MARK: - diffuse-data

    func testDataRefusesBadInput() throws {
        try refuse("diffuse-data", ["info", path("absent.h5")], ["absent.h5", "no such dataset file"])
        try refuse("diffuse-data", ["info", path("folder")], ["folder", "is a directory, expected a dataset file"])
        try refuse("diffuse-data", ["info", path("empty.h5")], ["empty.h5", "not a readable HDF5 file"])
        try refuse("diffuse-data", ["info", path("truncated-data.h5")], ["truncated-data.h5", "truncated"])
        try refuse("diffuse-data", ["info", path("checkpoint.h5")], ["checkpoint.h5", "expected 'diffuse.dataset'"])
        try refuse("diffuse-data", ["info", path("rank3.h5")], ["rank3.h5", "expected [N, C, H, W] or [N, D]"])
        try refuse("diffuse-data", ["preview", path("moons.h5"), "--count", "0", "--out", path("out.png")], ["--count must be at least 1, got 0"])
        try refuse("diffuse-data", ["builtin", "two-moons", "--count", "0", "--out", path("out.h5")], ["--count must be at least 1, got 0"])
        try refuse("diffuse-data", ["builtin", "no-such-set", "--count", "4", "--out", path("out.h5")], ["no-such-set", "expected one of"])
        try refuse("diffuse-data", ["import", "--format", "npy", path("folder"), "--out", path("out.h5")], ["folder", "is a directory, expected a file"])
        try refuse("diffuse-data", ["import", "--format", "idx", path("empty.h5"), "--out", path("out.h5")], ["empty.h5", "truncated at offset 0"])
        try refuse("diffuse-data", ["import", "--format", "npz", path("moons.h5"), "--out", path("out.h5")], ["moons.h5", "not a zip archive"])
    }

    // MARK: - diffuse-eval

    func testEvalRefusesBadInput() throws {
        let json = ["--json", path("out.json")]
        try refuse("diffuse-eval", ["nll", "--checkpoint", path("absent.h5"), "--data", "two-moons"] + json, ["absent.h5", "no such checkpoint file"])
        try refuse("diffuse-eval", ["nll", "--checkpoint", path("moons.h5"), "--data", "two-moons"] + json, ["moons.h5", "not a Diffuse checkpoint"])
        try refuse("diffuse-eval", ["nll", "--checkpoint", path("checkpoint.h5"), "--data", path("empty.h5")] + json, ["empty.h5", "not a readable HDF5 file"])
        try refuse("diffuse-eval", ["nll", "--checkpoint", path("checkpoint.h5"), "--data", path("absent.h5")] + json, ["absent.h5", "no such dataset file"])
        try refuse("diffuse-eval", ["nll", "--checkpoint", path("checkpoint.h5"), "--data", "two-moons", "--count", "0"] + json, ["--count must be at least 1, got 0"])
        try refuse("diffuse-eval", ["nll", "--checkpoint", path("checkpoint.h5"), "--data", path("shapes.h5"), "--count", "4"] + json, ["shapes.h5"])
        try refuse("diffuse-eval", ["quality", "--data", "two-moons", "--samples", path("checkpoint.h5")] + json, ["checkpoint.h5", "no /samples dataset"])
        try refuse("diffuse-eval", ["quality", "--data", "two-moons", "--samples", path("absent.h5")] + json, ["absent.h5"])
    }
}
