import Foundation
import NN
import Tensor

/// Times every convolution algorithm (`ConvAlgorithm.candidates`) for every pass of every
/// distinct convolution of a UNet, as the autotuner does on first use, and reports each
/// candidate's best time, the choice (`ConvAutotuner.fastest`) and the convolution time per
/// training step under the choices against the fixed rule of earlier versions.
public struct KernelChoiceBenchmark {
    public var rounds: Int
    public var margin: Double

    public init(rounds: Int = 3, margin: Double = ConvAutotuner(mode: .auto, cache: nil).margin) {
        self.rounds = rounds
        self.margin = margin
    }

    /// Per-step convolution seconds (every layer, all three passes) under the rule and under the choices.
    public struct Totals: Sendable {
        public var rule = 0.0
        public var chosen = 0.0
        public var speedup: Double { rule / max(chosen, 1e-12) }
    }

    /// Measures a configuration, reporting one line per (shape, pass) as it is done.
    @discardableResult
    public func run(_ config: TrainBenchmark.Config, report: (String) -> Void) -> Totals {
        let shapes = config.convolutions
        report("\(config.name): \(config.unet.inChannels)x\(config.imageSize)x\(config.imageSize), channels \(config.unet.channelsPerDepth), "
               + "batch \(config.batch); \(shapes.distinct.count) distinct convolutions, candidates' best of \(rounds) (ms)")
        var totals = Totals()
        for (g, layers) in shapes.distinct {
            for pass in ConvPass.allCases {
                let timings = ConvAutotuner.measure(g, pass, candidates: ConvAlgorithm.candidates(g, pass), rounds: rounds)
                let chosen = ConvAutotuner.fastest(timings, margin: margin)
                let ruleTime = timings[0].seconds
                let chosenTime = timings.first { $0.algorithm == chosen }!.seconds
                totals.rule += Double(layers.count) * ruleTime
                totals.chosen += Double(layers.count) * chosenTime
                let times = timings.map { "\($0.algorithm) \(String(format: "%.2f", $0.seconds * 1e3))" }.joined(separator: ", ")
                let who = layers.count == 1 ? layers[0] : "\(layers.count): \(layers[0]), ..."
                report(KernelBenchmark.pad(ConvAutotuner.key(g, pass), 48) + " " + times + "  -> \(chosen)"
                       + String(format: " (%.2fx rule)", ruleTime / chosenTime) + "  [\(who)]")
            }
        }
        report(config.name + String(format: ": convolution time per training step %.3f s by the rule, %.3f s by the choices (%.2fx)",
                                    totals.rule, totals.chosen, totals.speedup))
        return totals
    }
}
