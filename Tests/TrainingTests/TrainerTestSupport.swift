import Autograd
import Data
import Foundation
import NN
import Tensor
@testable import Config
@testable import Training

/// A two-layer-free backbone for trainer tests: `linear(concat(x, c))` on 2-D points.
final class TinyBackbone: Backbone {
    let weight: Variable
    let bias: Variable

    init(seed: UInt64) {
        var initialiser = ParameterInitialiser(seed: seed)
        weight = initialiser.uniform([2, 3], bound: 0.5)
        bias = initialiser.uniform([2], bound: 0.5)
    }

    var namedParameters: [(name: String, variable: Variable)] { [("net.weight", weight), ("net.bias", bias)] }

    func forward(_ x: Variable, _ c: Variable, context: ForwardContext) -> Variable {
        linear(concat([x, reshape(c, [-1, 1])], axis: 1), weight: weight, bias: bias)
    }
}

/// Denoising on a straight path: x_t = (1 - t) x + t z, loss |model(x_t, t) - x|^2 per sample,
/// t and z keyed by (step, global sample index). `poisonStep` makes that step's loss NaN.
struct TinyObjective: TrainingObjective {
    var poisonStep: Int? = nil

    func losses(model: any Backbone, x: Tensor, context: ForwardContext, globalBatch: Int) -> (losses: Variable, times: [Double]) {
        let b = x.shape[0]
        let times = (0..<b).map {
            context.rng.uniformDouble(purpose: .time, step: context.step, sample: UInt32(context.firstSample + $0))
        }
        let z = context.rng.normal(x.shape, purpose: .noise, step: context.step, firstSample: context.firstSample)
        let xt = Tensor(uninitialized: x.shape)
        for i in 0..<b {
            for j in 0..<2 {
                let t = Float(times[i])
                xt.pointer[2 * i + j] = (1 - t) * x.pointer[2 * i + j] + t * z.pointer[2 * i + j]
            }
        }
        let c = Tensor(shape: [b], values: times.map { Float($0) })
        let prediction = model.forward(Variable(xt), Variable(c), context: context)
        var perSample = mean(square(prediction - Variable(x)), axes: [1])
        if let poisonStep, Int(context.step) == poisonStep { perSample = perSample * Float.nan }
        return (perSample, times)
    }
}

enum TrainerFixtures {
    /// 64 points on two clusters.
    static func dataset() -> InMemoryDataset {
        var values: [Float] = []
        for i in 0..<64 {
            let centre: Float = i % 2 == 0 ? 1 : -1
            values += [centre + 0.1 * Float(i % 7) - 0.3, centre * 0.5 + 0.05 * Float(i % 5)]
        }
        return InMemoryDataset(ImageArray(shape: [64, 2], pixels: .float32(values), valueRange: nil))
    }

    static func components(poisonStep: Int? = nil, drawSamples: TrainingComponents.SampleDrawer? = nil) -> (TrainConfig) throws -> TrainingComponents {
        { config in
            TrainingComponents(model: TinyBackbone(seed: UInt64(config.train.seed)), dataset: dataset(),
                               objective: TinyObjective(poisonStep: poisonStep), drawSamples: drawSamples)
        }
    }

    static let yaml = """
    name: tiny
    model:
      kind: mlp
    optim:
      lr: 0.05
      warmup_steps: 2
    ema:
      decay: 0.9
    train:
      global_batch: 8
      steps: 6
      seed: 3
      log_every: 1
      sample_every: 0
      checkpoint_every: 2
      keep_last: 10
    """

    static func temporaryFolder() throws -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("trainer-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// A sample drawer for trainer tests that records each grid: a grid is `samplerSteps` steps of
/// 1 ms, each asking `shouldStop` first. During the first grid of trainer step `signalStep` it
/// sends this process `signal` before its third step, as a user or a scheduler would.
final class GridProbe {
    struct Grid: Equatable {
        var step: Int
        var completed: Bool
        /// The checkpoint of `step` existed when the grid started.
        var checkpointed: Bool
    }

    static let samplerSteps = 500
    let checkpointsPath: String
    let signalStep: Int?
    let signal: Int32
    /// The trainer's step, set by the test's `onStep`.
    var step = 0
    private(set) var grids: [Grid] = []

    init(runFolder: String, signalStep: Int? = nil, signal: Int32 = SIGTERM) {
        checkpointsPath = RunFolder(path: runFolder).checkpointsPath
        self.signalStep = signalStep
        self.signal = signal
    }

    var drawer: TrainingComponents.SampleDrawer {
        { [unowned self] _, count, _, shouldStop in
            let step = self.step
            let checkpointed = FileManager.default.fileExists(atPath: checkpointsPath + String(format: "/step-%08d.h5", step))
            let signals = step == signalStep && !grids.contains { $0.step == step }
            for i in 0..<Self.samplerSteps {
                if shouldStop() {
                    grids.append(Grid(step: step, completed: false, checkpointed: checkpointed))
                    return nil
                }
                if signals && i == 2 { kill(getpid(), signal) }
                usleep(1000)
            }
            grids.append(Grid(step: step, completed: true, checkpointed: checkpointed))
            return Tensor(shape: [count, 2], repeating: 0)
        }
    }
}
