import Diffusion
import Foundation
import NN
import Tensor
import XCTest
@testable import Config
@testable import Sampling
@testable import Training

/// The training grid's drawer: images in groups of `gridImagesPerGroup` draw what one batch
/// would (noise keyed by global sample index), and it stops when asked.
final class SampleDrawerTests: XCTestCase {
    static let yaml = """
    data:
      source: shapes16
      count: 64
    model:
      kind: unet
      unet:
        channels_per_depth: [8, 16]
        num_blocks: 1
        attention_depths: []
        pos_dim: 8
        emb_dim: 16
        num_groups: 4
    train:
      global_batch: 4
    sample:
      sampler: euler
      steps: 3
      count: 20
    """

    func testGroupsDrawWhatOneBatchDrawsAndStopWhenAsked() throws {
        let config = try ConfigLoader.load(yaml: Self.yaml).config
        let components = try TrainingSetup.components(config)
        let draw = try XCTUnwrap(components.drawSamples)
        let count = TrainingSetup.gridImagesPerGroup + 4   // two groups
        let grouped = try XCTUnwrap(try draw(components.model, count, (0, 1)) { false })
        XCTAssertEqual(grouped.shape, [count, 1, 16, 16])

        let denoiser = try ModelSetup.makeDenoiser(config, backbone: components.model)
        let sampler = try makeSampler(name: "euler", denoiser: denoiser,
                                      options: SamplerOptions(settings: SamplingSettings(steps: 3, seed: UInt64(config.train.seed))))
        let whole = sampler(sampler.initial(shape: grouped.shape))
        let difference = zip(grouped.scalars, whole.scalars).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThan(difference, 1e-4, "grouped vs one batch")

        var asked = 0
        XCTAssertNil(try draw(components.model, count, (0, 1)) { asked += 1; return asked == 5 })
        XCTAssertEqual(asked, 5, "3 steps of the first group, then the second group stops before its second step")

        // Ranks draw whole groups: rank 0 of 2 the first group, rank 1 the second; together
        // exactly the grid of one process. A rank without a group draws nothing.
        let first = try XCTUnwrap(try draw(components.model, count, (0, 2)) { false })
        let second = try XCTUnwrap(try draw(components.model, count, (1, 2)) { false })
        XCTAssertEqual(first.shape[0], TrainingSetup.gridImagesPerGroup)
        XCTAssertEqual(first.scalars + second.scalars, grouped.scalars)
        let idle = try XCTUnwrap(try draw(components.model, count, (0, 3)) { false })
        XCTAssertEqual(idle.shape, [0, 1, 16, 16])
        let last = try XCTUnwrap(try draw(components.model, count, (2, 3)) { false })
        XCTAssertEqual(last.scalars, second.scalars)
    }
}
