import Checkpoint
import Diffusion
import Distributed
import Foundation
import NN
import Tensor
import XCTest
@testable import Config
@testable import Evaluation
@testable import Sampling
@testable import Training

/// `diffusion.objective` ddpm and vdm trained from a config through `TrainingSetup` (tiny MLP on two moons).
final class ObjectiveTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try TrainerFixtures.temporaryFolder() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func yaml(_ objective: String, schedule: String = "vp") -> String {
        """
        name: objective
        data:
          source: two-moons
          count: 256
        model:
          kind: mlp
          mlp:
            hidden_widths: [32, 32]
            pos_dim: 8
            emb_dim: 16
        diffusion:
          objective: \(objective)
          schedule: \(schedule)
        optim:
          lr: 1.0e-2
        ema:
          decay: 0.9
        train:
          global_batch: 32
          steps: 6
          seed: 5
          log_every: 1
          sample_every: 0
          checkpoint_every: 2
          keep_last: 10
        """
    }

    func train(_ yaml: String, _ run: String, overrides: [String] = [], resume: ResumeMode = .none) throws -> [Int: Double] {
        let path = dir + "/\(run).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        var losses: [Int: Double] = [:]
        let options = TrainOptions(configPath: path, overrides: overrides, runDirectory: dir + "/" + run, resume: resume)
        _ = try TrainingRun.run(options, communicator: SingleProcessCommunicator()) { losses[$0.step] = $0.loss }
        return losses
    }

    func windowMean(_ losses: [Int: Double], _ steps: ClosedRange<Int>) -> Double {
        steps.map { losses[$0]! }.reduce(0, +) / Double(steps.count)
    }

    func testDDPMLossIsFiniteAndFalls() throws {
        let losses = try train(yaml("ddpm", schedule: "ddpm"), "ddpm", overrides: ["train.steps=60"])
        XCTAssertTrue(losses.values.allSatisfy(\.isFinite))
        XCTAssertLessThan(windowMean(losses, 51...60), 0.8 * windowMean(losses, 1...10), "\(losses.sorted { $0.key < $1.key })")
    }

    func testDDPMNeedsTheDDPMSchedule() throws {
        XCTAssertThrowsError(try ConfigLoader.load(yaml: yaml("ddpm"), source: "x.yaml")) { e in
            XCTAssertTrue("\(e)".contains("diffusion.schedule: 'vp' with diffusion.objective: ddpm"), "\(e)")
        }
    }

    func testVDMLossInBitsPerDimensionIsFiniteAndFalls() throws {
        let losses = try train(yaml("vdm"), "vdm", overrides: ["train.steps=60"])
        XCTAssertTrue(losses.values.allSatisfy(\.isFinite))
        XCTAssertLessThan(windowMean(losses, 51...60), windowMean(losses, 1...10), "\(losses.sorted { $0.key < $1.key })")
    }

    func testVDMResumeIsExactAndTheScheduleIsCheckpointedAndTrained() throws {
        let reference = try train(yaml("vdm"), "full")
        let resumed = try train(yaml("vdm"), "part", resume: .path(dir + "/full/checkpoints/step-00000004.h5"))
        XCTAssertEqual(resumed[5], reference[5])
        XCTAssertEqual(resumed[6], reference[6])

        let model = try CheckpointModel(path: dir + "/full", weights: .model)
        let scheduled = try XCTUnwrap(model.backbone as? ScheduledBackbone)
        let fresh = LearnedSchedule(seed: 5 + 1)
        XCTAssertNotEqual(scheduled.schedule.l2Weight.value.scalars, fresh.l2Weight.value.scalars, "the schedule must be trained and restored")
        XCTAssertEqual(scheduled.schedule.gamma(0).gamma, -13.3, accuracy: 1e-4)
        XCTAssertEqual(scheduled.schedule.gamma(1).gamma, 5.0, accuracy: 1e-4)

        let part = try CheckpointModel(path: dir + "/part", weights: .model)
        let a = model.backbone.parameters.flatMap(\.value.scalars), b = part.backbone.parameters.flatMap(\.value.scalars)
        XCTAssertEqual(a, b, "resumed and uninterrupted runs must end with the same parameters, schedule included")

        // Sampling a vdm checkpoint: noise prediction over the learned schedule.
        let sampler = try makeSampler(name: "ddim", denoiser: model.denoiser,
                                      options: SamplerOptions(settings: SamplingSettings(steps: 8, seed: 1)))
        let x = sampler(sampler.initial(shape: [16] + model.sampleShape))
        XCTAssertEqual(x.shape, [16, 2])
        XCTAssertTrue(x.isFinite)
        XCTAssertGreaterThan(x.scalars.map { abs($0) }.max()!, 0.1)
    }

    func testNLLOfAVDMCheckpointIsItsELBO() throws {
        _ = try train(yaml("vdm"), "nll", overrides: ["train.steps=2"])
        var o = NLLOptions(checkpoint: dir + "/nll", data: "two-moons")
        o.count = 8; o.batch = 4; o.vdmDraws = 3; o.seed = 7
        let report = try NLLEvaluation.run(o)
        let model = try CheckpointModel(path: dir + "/nll")
        let vdm = try XCTUnwrap(model.backbone as? ScheduledBackbone).vdm
        let data = try EvaluationData(source: "two-moons", count: 8, seed: o.dataSeed, sampleShape: [2])
        let bits = VDMLikelihood.bitsPerDimension(vdm, data.samples, draws: 3, seed: 7, batch: 4)
        XCTAssertEqual(report.value("bits_per_dim")!, bits.reduce(0, +) / 8, accuracy: 1e-9)
        XCTAssertTrue(report.value("bits_per_dim")!.isFinite)
        XCTAssertEqual(report.value("samples"), 8)
    }

    func testVDMSamplingDenoiserIsVDMDenoiser() throws {
        let config = try ConfigLoader.load(yaml: yaml("vdm"), source: "x.yaml").config
        let backbone = try ModelSetup.makeBackbone(config, sampleShape: [2])
        let denoiser = try ModelSetup.makeDenoiser(config, backbone: backbone)
        let reference = VDMDenoiser(try XCTUnwrap(backbone as? ScheduledBackbone).vdm)
        let xt = CounterRNG(seed: 2).normal([4, 2], purpose: .misc, step: 0, firstSample: 0)
        for t in [0.1, 0.5, 0.9] {
            let a = try XCTUnwrap(denoiser(xt, t: t) as? GaussianPosterior), b = try XCTUnwrap(reference(xt, t: t) as? GaussianPosterior)
            XCTAssertLessThan(a.mean.maxAbsDifference(b.mean), 1e-4 * max(1, b.mean.scalars.map { abs($0) }.max()!), "t = \(t)")
        }
    }
}
