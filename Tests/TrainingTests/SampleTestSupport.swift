import Checkpoint
import Foundation
import NN
import Tensor
@testable import Config
@testable import Sampling
@testable import Training

/// Tiny checkpoints written with the Checkpoint writer (no training run involved): an MLP on
/// 2-D points and a one-depth UNet on 16x16 gray images, with seeded random weights so the
/// models' outputs are not trivial.
enum SampleFixtures {
    static let mlpYAML = """
    name: tiny-mlp
    data:
      source: two-moons
    model:
      kind: mlp
      mlp:
        hidden_widths: [16, 16]
        pos_dim: 8
        emb_dim: 8
    diffusion:
      schedule: vp
      denoiser: karras
    sample:
      sampler: heun
      steps: 6
    """

    static let unetYAML = """
    name: tiny-unet
    data:
      source: shapes16
      image_size: 16
    model:
      kind: unet
      unet:
        channels_per_depth: [8]
        num_blocks: 1
        attention_depths: []
        pos_dim: 8
        emb_dim: 16
        num_groups: 4
    diffusion:
      schedule: vp
      denoiser: karras
    sample:
      sampler: euler
      steps: 4
    """

    /// Writes a checkpoint of the model the YAML describes, its weights the seeded
    /// initialisation plus `jitter` times seeded normal noise, the EMA 0.9 times the weights.
    /// `layoutYAML` builds the weights from another config (for mismatch tests).
    @discardableResult
    static func writeCheckpoint(yaml: String, directory: String, step: Int = 10, jitter: Float = 0.3,
                                layoutYAML: String? = nil, withEMA: Bool = true) throws -> String {
        let resolved = try ConfigLoader.load(yaml: yaml)
        let layoutConfig = try layoutYAML.map { try ConfigLoader.load(yaml: $0).config } ?? resolved.config
        let shape = try ModelSetup.makeDataset(layoutConfig).sampleShape
        let parameters = ParameterSet(try ModelSetup.makeBackbone(layoutConfig, sampleShape: shape))
        let noise = CounterRNG(seed: 99).normal([parameters.count], purpose: .misc, step: 0, firstSample: 0)
        parameters.values.addInPlace(noise, scaledBy: jitter)
        let model = FlatTensors(names: parameters.names, shapes: parameters.shapes, values: parameters.values.copy())
        let ema = model.with(values: parameters.values.copy())
        ema.values.scaleInPlace(0.9)
        let state = CheckpointState(step: step, samplesSeen: step * 8, worldSize: 1, config: resolved.yaml,
                                    softwareVersion: "test", model: model, ema: withEMA ? ema : nil, rngSeed: 1)
        return try CheckpointWriter(directory: directory).write(state)
    }

    static func temporaryFolder() throws -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("sample-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A reporter that collects its lines.
    final class Lines { var lines: [String] = [] }

    static func quietReporter(_ sink: Lines = Lines()) -> (Int, Int) -> ThroughputReporter {
        { total, batches in ThroughputReporter(total: total, batches: batches, isTerminal: false) { sink.lines.append($0) } }
    }
}
