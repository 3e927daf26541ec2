import Diffusion
import XCTest
@testable import Config
@testable import Training

final class ConfigTests: XCTestCase {
    func problems(_ yaml: String, overrides: [String] = [], worldSize: Int = 1) -> [String] {
        do {
            _ = try ConfigLoader.load(yaml: yaml, source: "test.yaml", overrides: overrides, worldSize: worldSize)
            return []
        } catch let e as ConfigError {
            return e.problems
        } catch {
            XCTFail("unexpected error \(error)")
            return []
        }
    }

    func testDefaultsAndPartialFile() throws {
        let r = try ConfigLoader.load(yaml: "train:\n  steps: 7\noptim:\n  lr: 1e-3\n", source: "t.yaml")
        XCTAssertEqual(r.config.train.steps, 7)
        XCTAssertEqual(r.config.optim.lr, 1e-3)
        XCTAssertEqual(r.config.train.globalBatch, TrainConfig().train.globalBatch)
        XCTAssertEqual(r.config.model.unet, UNetSection())
        XCTAssertNil(r.config.diffusion.sigmaMax)
        // The resolved text reloads to the same config.
        XCTAssertEqual(try ConfigLoader.load(yaml: r.yaml).config, r.config)
        XCTAssertTrue(r.yaml.contains("global_batch"))
    }

    func testOverrides() throws {
        let r = try ConfigLoader.load(yaml: "train:\n  steps: 7\n", overrides: [
            "train.steps=9", "model.unet.channels_per_depth=[16, 32, 32]", "diffusion.schedule=ve", "diffusion.sigma_max=80", "name=abc"])
        XCTAssertEqual(r.config.train.steps, 9)
        XCTAssertEqual(r.config.model.unet.channelsPerDepth, [16, 32, 32])
        XCTAssertEqual(r.config.diffusion.sigmaMax, 80)
        XCTAssertEqual(r.config.name, "abc")
        XCTAssertEqual(problems("", overrides: ["train.stepz=3"]), ["train.stepz: unknown key (known keys of train: global_batch, steps, seed, log_every, sample_every, checkpoint_every, keep_last, keep_every, checksum_every, nan_policy, micro_batch, label_dropout, precision, time_limit_minutes)"])
        XCTAssertEqual(problems("", overrides: ["train.steps"]).first, "--set train.steps: expected key.path=value")
    }

    func testAllProblemsListedTogetherWithPaths() {
        let yaml = """
        model:
          unet:
            channels_per_depth: [32, 48, 64]
            num_groups: 32
            colour: blue
        optim:
          lr: fast
        train:
          global_batch: 30
          steps: 0
          keep_last: 1
        sampel:
          steps: 3
        """
        let p = problems(yaml, worldSize: 4)
        XCTAssertTrue(p.contains("model.unet.colour: unknown key (known keys of model.unet: channels_per_depth, num_blocks, attention_depths, pos_dim, emb_dim, num_groups, dropout, num_classes)"), "\(p)")
        XCTAssertTrue(p.contains("sampel: unknown key (known keys: name, data, model, diffusion, optim, ema, train, distributed, sample, eval)"), "\(p)")
        XCTAssertTrue(p.contains("optim.lr: expected a number, got 'fast'"), "\(p)")
        XCTAssertTrue(p.contains("train.global_batch: 30 is not divisible by the 4 ranks"), "\(p)")
        XCTAssertTrue(p.contains("train.steps: must be > 0, got 0"), "\(p)")
        XCTAssertTrue(p.contains("train.keep_last: must be >= 2 (a failed write must leave an older checkpoint), got 1"), "\(p)")
        XCTAssertTrue(p.contains("model.unet.num_groups: 32 groups do not divide channels_per_depth.1 = 48"), "\(p)")
        XCTAssertTrue(p.contains("data.image_size: 16 is not divisible by 4 = 2^(depths-1) for the 3 depths of model.unet.channels_per_depth") == false, "16 is divisible by 4: \(p)")
        XCTAssertEqual(p.count, 7, "\(p)")
    }

    func testImageSizeAndChoices() {
        let p = problems("data:\n  image_size: 28\nmodel:\n  unet:\n    channels_per_depth: [8, 8, 8, 8]\n    attention_depths: [4]\ndiffusion:\n  schedule: linear\n  sigma_max: -1\nsample:\n  sampler: rk4\n")
        XCTAssertEqual(Set(p), [
            "data.image_size: 28 is not divisible by 8 = 2^(depths-1) for the 4 depths of model.unet.channels_per_depth",
            "model.unet.attention_depths.0: depth 4 does not exist (depths are 0..<4)",
            "diffusion.schedule: 'linear' is not one of ve, vp, cosine, rectified, decay, elucidated, ddpm",
            "diffusion.sigma_max: must be a finite number > 0, got -1.0",
            "sample.sampler: 'rk4' is not one of ddpm, ddim, euler, heun, ito, zab, vab, zeab, xeab, reab, pc",
        ])
    }

    func testChoicesComeFromTheirTypes() throws {
        XCTAssertEqual(TrainConfig.choices, [
            "model.kind": ["unet", "mlp"], "diffusion.objective": ["denoiser", "ddpm", "vdm"],
            "diffusion.schedule": ["ve", "vp", "cosine", "rectified", "decay", "elucidated", "ddpm"],
            "diffusion.denoiser": ["simple", "karras", "epsilon", "velocity"],
            "diffusion.noise_levels": ["uniform", "lognormal", "stratified", "antithetic"],
            "optim.kind": ["adam", "adamw"], "optim.decay": ["constant", "cosine"], "train.nan_policy": ["stop", "skip"],
            "train.precision": ["fp32", "bf16"], "sample.sampler": SamplerKind.allCases.map(\.rawValue), "sample.grid": ["linear", "edm"],
        ])
        // A bad choice is one problem with its key path among the others, and the default stands in
        // for it without problems of its own.
        XCTAssertEqual(Set(problems("optim:\n  kind: sgd\n  lr: -1\ntrain:\n  nan_policy: ignore\n")), [
            "optim.kind: 'sgd' is not one of adam, adamw",
            "optim.lr: must be a finite number > 0, got -1.0",
            "train.nan_policy: 'ignore' is not one of stop, skip",
        ])
        XCTAssertEqual(problems("model:\n  kind: cnn\neval:\n  every: 5\n  classifier: c.h5\n"), ["model.kind: 'cnn' is not one of unet, mlp"])
        // The YAML spells each choice as before, and reads back to the same config.
        let r = try ConfigLoader.load(yaml: "optim:\n  kind: adamw\n  decay: cosine\ntrain:\n  nan_policy: skip\n")
        XCTAssertEqual(r.config.optim.kind, .adamw)
        XCTAssertEqual(r.config.optim.decay, .cosine)
        XCTAssertEqual(r.config.train.nanPolicy, .skip)
        for line in ["  kind: adamw", "  decay: cosine", "  nan_policy: skip", "  precision: fp32", "  sampler: heun", "  kind: unet"] {
            XCTAssertTrue(r.yaml.contains(line + "\n"), "\(line) in \(r.yaml)")
        }
        XCTAssertEqual(try ConfigLoader.load(yaml: r.yaml).config, r.config)
    }

    func testScheduleParameters() {
        XCTAssertEqual(problems("diffusion:\n  schedule: vp\n  sigma_max: 80\n  alpha_min: 0.01\n"),
                       ["diffusion.sigma_max: the vp schedule has no such parameter (it takes alpha_min, sigma_min)"])
        XCTAssertEqual(problems("diffusion:\n  schedule: elucidated\n  sigma_max: 80\n  rho: 7\n"), [])
    }

    func testWrongShapesOfValues() {
        let p = problems("train: 5\nmodel:\n  unet:\n    channels_per_depth: [8, x]\n    num_blocks: 1.5\ndata:\n  flip: maybe\n")
        XCTAssertEqual(Set(p), [
            "train: expected a section with keys global_batch, steps, seed, log_every, sample_every, checkpoint_every, keep_last, keep_every, checksum_every, nan_policy, micro_batch, label_dropout, precision, time_limit_minutes, got '5'",
            "model.unet.channels_per_depth.1: expected an integer, got 'x'",
            "model.unet.num_blocks: expected an integer, got '1.5'",
            "data.flip: expected true or false, got 'maybe'",
        ])
    }

    func testMicroBatchIsAPositiveIntegerAndUnsetByDefault() throws {
        XCTAssertNil(try ConfigLoader.load(yaml: "").config.train.microBatch)
        XCTAssertFalse(try ConfigLoader.load(yaml: "").yaml.contains("micro_batch"), "unset: not in the resolved text")
        let r = try ConfigLoader.load(yaml: "train:\n  micro_batch: 8\n")
        XCTAssertEqual(r.config.train.microBatch, 8)
        XCTAssertEqual(try ConfigLoader.load(yaml: r.yaml).config, r.config, "the resolved text keeps it")
        XCTAssertEqual(problems("train:\n  micro_batch: 0\n"), ["train.micro_batch: must be > 0, got 0"])
        XCTAssertEqual(problems("", overrides: ["train.micro_batch=-2"]), ["train.micro_batch: must be > 0, got -2"])
        XCTAssertEqual(problems("train:\n  micro_batch: 2.5\n"), ["train.micro_batch: expected an integer, got '2.5'"])
        XCTAssertEqual(problems("train:\n  global_batch: 8\n  micro_batch: 64\n"), [], "larger than the share: one micro-batch")
    }

    func testBucketSizesLiveInTheDistributedSection() throws {
        let defaults = try ConfigLoader.load(yaml: "")
        XCTAssertEqual(defaults.config.distributed.firstBucketMB, 1)
        XCTAssertEqual(defaults.config.distributed.bucketMB, 4)
        XCTAssertEqual(defaults.warnings, [])
        let r = try ConfigLoader.load(yaml: "distributed:\n  bucket_mb: 4\n", overrides: ["distributed.first_bucket_mb=0.5"])
        XCTAssertEqual(r.config.distributed.bucketMB, 4)
        XCTAssertEqual(r.config.distributed.firstBucketMB, 0.5)
        XCTAssertEqual(r.warnings, [])
        XCTAssertEqual(try ConfigLoader.load(yaml: r.yaml).config.distributed, r.config.distributed, "the resolved text keeps them")
        XCTAssertEqual(Set(problems("distributed:\n  bucket_mb: 0\n  first_bucket_mb: -1\n")),
                       ["distributed.bucket_mb: must be a finite number > 0, got 0.0", "distributed.first_bucket_mb: must be a finite number > 0, got -1.0"])
        XCTAssertEqual(problems("distributed:\n  bucket_size: 4\n"), ["distributed.bucket_size: unknown key (known keys of distributed: first_bucket_mb, bucket_mb)"])
    }

    func testOldBucketKeysUnderTrainAreAcceptedWithAWarning() throws {
        let r = try ConfigLoader.load(yaml: "train:\n  steps: 3\n  bucket_mb: 8\n  first_bucket_mb: 0.25\n")
        XCTAssertEqual(r.config.distributed.bucketMB, 8)
        XCTAssertEqual(r.config.distributed.firstBucketMB, 0.25)
        XCTAssertEqual(r.config.train.steps, 3)
        XCTAssertEqual(r.warnings, [
            "train.first_bucket_mb is deprecated: it is now distributed.first_bucket_mb (the value given is used as distributed.first_bucket_mb)",
            "train.bucket_mb is deprecated: it is now distributed.bucket_mb (the value given is used as distributed.bucket_mb)",
        ])
        // The resolved text (run folder, checkpoints) has the new keys only: it reloads without warnings.
        XCTAssertEqual(try ConfigLoader.load(yaml: r.yaml).warnings, [])
        XCTAssertEqual(try ConfigLoader.load(yaml: r.yaml).config, r.config)
        XCTAssertEqual(try ConfigLoader.load(yaml: "", overrides: ["train.bucket_mb=2"]).config.distributed.bucketMB, 2, "--set takes the old key too")
        // Old keys are validated under their new names.
        XCTAssertEqual(problems("train:\n  bucket_mb: fast\n"), ["distributed.bucket_mb: expected a number, got 'fast'"])
    }

    func testOldAndNewBucketKeyTogetherAreRefused() {
        XCTAssertEqual(problems("train:\n  bucket_mb: 8\ndistributed:\n  bucket_mb: 8\n"),
                       ["train.bucket_mb: set together with distributed.bucket_mb, its new name; keep only distributed.bucket_mb"])
        XCTAssertEqual(problems("distributed:\n  first_bucket_mb: 2\n", overrides: ["train.first_bucket_mb=1"]),
                       ["train.first_bucket_mb: set together with distributed.first_bucket_mb, its new name; keep only distributed.first_bucket_mb"])
    }

    func testFileErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try ConfigLoader.load(path: dir.path + "/missing.yaml")) { e in
            XCTAssertEqual("\(e)", "\(dir.path)/missing.yaml: invalid configuration: the config file does not exist")
        }
        XCTAssertThrowsError(try ConfigLoader.load(path: dir.path)) { e in
            XCTAssertTrue("\(e)".contains("is a directory"), "\(e)")
        }
        let bad = dir.appendingPathComponent("bad.yaml")
        try "train: [1, 2\n".write(to: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ConfigLoader.load(path: bad.path)) { e in
            XCTAssertTrue("\(e)".hasPrefix("\(bad.path): invalid configuration: not valid YAML"), "\(e)")
        }
        let list = dir.appendingPathComponent("list.yaml")
        try "- 1\n- 2\n".write(to: list, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ConfigLoader.load(path: list.path)) { e in
            XCTAssertTrue("\(e)".contains("the top level must be a mapping"), "\(e)")
        }
        XCTAssertEqual(problems("data:\n  source: moons\n"),
                       ["data.source: 'moons' is neither a built-in dataset (two-moons, eight-gaussians, swiss-roll, checkerboard, shapes16, shapes28, shapes16-rgb, shapes28-rgb) nor a path to an .h5 file"])
        XCTAssertEqual(problems("data:\n  source: shapes16\n  count: 10\n"),
                       ["data.count: 10 samples are fewer than one global batch (train.global_batch 32)"])
    }

    func testEveryShippedConfigLoadsAndValidates() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("configs")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        for expected in ["shapes.yaml", "toy2d.yaml", "mnist.yaml", "fashion.yaml", "cifar10-ddpm.yaml", "edm.yaml", "vdm.yaml"] {
            XCTAssertTrue(files.contains(expected), "\(expected) missing from \(files)")
        }
        for f in files {
            for ranks in [1, 2] {
                XCTAssertNoThrow(try ConfigLoader.load(path: folder.appendingPathComponent(f).path, worldSize: ranks), "\(f) on \(ranks) rank(s)")
            }
        }
    }
}
