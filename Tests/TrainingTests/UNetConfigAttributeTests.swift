import Distributed
import Foundation
import HDF5
import NN
import XCTest
@testable import Training

/// Checkpoints of a UNet run carry `unet_config` (UNetConfig's snake_case JSON) on the root,
/// /model and /ema, for tools/torch_unet.py's `UNet.from_h5`.
final class UNetConfigAttributeTests: XCTestCase {
    func testTrainedUNetCheckpointCarriesItsConfig() throws {
        let dir = try TrainerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let yaml = SampleFixtures.unetYAML + "\ntrain:\n  global_batch: 4\n  steps: 1\n  sample_every: 0\n"
        try yaml.write(toFile: dir + "/c.yaml", atomically: true, encoding: .utf8)
        _ = try TrainingRun.run(TrainOptions(configPath: dir + "/c.yaml", runDirectory: dir + "/run"),
                                communicator: SingleProcessCommunicator()) { _ in }
        let checkpoint = try XCTUnwrap(RunFolder(path: dir + "/run").checkpoints.newestValid()).path
        let expected = UNetConfig(inChannels: 1, channelsPerDepth: [8], numBlocks: 1, attentionDepths: [], posDim: 8, embDim: 16,
                                  numGroups: 4, dropout: 0)
        let file = try H5File.open(checkpoint, readOnly: true)
        defer { try? file.close() }
        for text in [try file.stringAttribute("unet_config"), try file.group(named: "model").stringAttribute("unet_config"),
                     try file.group(named: "ema").stringAttribute("unet_config")] {
            XCTAssertTrue(text.contains("\"channels_per_depth\""), text)
            XCTAssertEqual(try JSONDecoder().decode(UNetConfig.self, from: Data(text.utf8)), expected)
        }
    }
}
