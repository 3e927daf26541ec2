import Diffusion
import Foundation
import Sampling
import Tensor

/// `diffuse-eval nll`: bits per dimension of a checkpoint's model on data, through the
/// probability-flow ODE (`ProbabilityFlowLikelihood`), for any checkpoint:
///     bpd_i = -log p(x_i) / (D ln 2) + offset,   reported as the mean over samples and its
/// standard error s / sqrt(N) (s the sample standard deviation of bpd_i), where `offset`
/// converts to the data's stored units (`EvaluationData.bitsOffset`).
public struct NLLOptions: Sendable {
    public var checkpoint: String
    public var weights: WeightsChoice = .ema
    /// A dataset file or a built-in dataset name.
    public var data: String
    public var dataSeed: UInt64 = 1
    /// Samples evaluated (the first of a file).
    public var count: Int = 256
    public var batch: Int = 64
    /// Heun steps of the ODE.
    public var steps: Int = 64
    public var exactTrace: Bool = false
    public var seed: UInt64 = 0
    /// Draws of (t, eps, eps_0) per sample for the ELBO of a vdm checkpoint.
    public var vdmDraws: Int = 16

    public init(checkpoint: String, data: String) {
        self.checkpoint = checkpoint
        self.data = data
    }
}

public enum NLLEvaluation {
    public static func run(_ options: NLLOptions, progress: ((String) -> Void)? = nil) throws -> EvaluationReport {
        guard options.batch >= 1, options.steps >= 1 else {
            throw SamplingError("--batch and --steps must be at least 1, got \(options.batch) and \(options.steps)")
        }
        let model = try CheckpointModel(path: options.checkpoint, weights: options.weights)
        for w in model.warnings { progress?("warning: \(w)") }
        let data = try EvaluationData(source: options.data, count: options.count, seed: options.dataSeed, sampleShape: model.sampleShape)
        if let scheduled = model.backbone as? ScheduledBackbone {
            return vdmReport(options, model: model, vdm: scheduled.vdm, data: data)
        }
        let flow = ProbabilityFlowLikelihood(model: BackboneMeanJacobian(model.denoiser), steps: options.steps,
                                             trace: options.exactTrace ? .exact : .hutchinson, seed: options.seed)
        let bits = bitsPerDimension(flow, data.samples, batch: options.batch, offset: data.bitsOffset, progress: progress)
        let (mean, se) = meanAndStandardError(bits)
        let d = data.samples.count / data.samples.shape[0]
        return EvaluationReport(command: "nll", source: model.path, data: data.description, metrics: [
            .init("bits_per_dim", mean, standardError: se,
                  note: "probability-flow ODE, \(options.steps) Heun steps, \(options.exactTrace ? "exact trace" : "Hutchinson trace")"),
            .init("nll_nats", mean * Double(d) * Foundation.log(2) - data.bitsOffset * Double(d) * Foundation.log(2),
                  standardError: se * Double(d) * Foundation.log(2), note: "per sample, in model units"),
            .init("samples", Double(bits.count)),
            .init("dimensions", Double(d)),
        ])
    }

    /// A vdm checkpoint: the variational bound of its own model (`VDMLikelihood`, the 256-level
    /// decoder makes it a bound on the discrete 8-bit likelihood, so no unit offset applies).
    static func vdmReport(_ options: NLLOptions, model: CheckpointModel, vdm: VDM, data: EvaluationData) -> EvaluationReport {
        let bits = VDMLikelihood.bitsPerDimension(vdm, data.samples, draws: max(1, options.vdmDraws), seed: options.seed, batch: options.batch)
        let (mean, se) = meanAndStandardError(bits)
        let d = data.samples.count / data.samples.shape[0]
        return EvaluationReport(command: "nll", source: model.path, data: data.description, metrics: [
            .init("bits_per_dim", mean, standardError: se,
                  note: "VDM negative ELBO (upper bound), \(max(1, options.vdmDraws)) draws of (t, eps) per sample"),
            .init("nll_nats", mean * Double(d) * Foundation.log(2), standardError: se * Double(d) * Foundation.log(2),
                  note: "negative ELBO per sample"),
            .init("samples", Double(bits.count)),
            .init("dimensions", Double(d)),
        ])
    }

    /// bpd of every sample of `x`, batch by batch (rows keyed by their index for the probes).
    public static func bitsPerDimension(_ flow: ProbabilityFlowLikelihood, _ x: Tensor, batch: Int, offset: Double,
                                        progress: ((String) -> Void)? = nil) -> [Double] {
        let n = x.shape[0], d = x.count / max(1, n)
        var bits: [Double] = []
        for start in stride(from: 0, to: n, by: batch) {
            let rows = start..<min(n, start + batch)
            let ll = flow.logLikelihood(x.slice(rows).copy(), firstSample: start)
            bits += ll.map { -$0 / (Double(d) * Foundation.log(2)) + offset }
            progress?("nll: \(rows.upperBound)/\(n) samples")
        }
        return bits
    }

    /// Mean and standard error s / sqrt(N).
    public static func meanAndStandardError(_ values: [Double]) -> (mean: Double, standardError: Double) {
        let n = Double(values.count)
        let mean = values.reduce(0, +) / max(1, n)
        guard values.count > 1 else { return (mean, .nan) }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        return (mean, (variance / n).squareRoot())
    }
}
