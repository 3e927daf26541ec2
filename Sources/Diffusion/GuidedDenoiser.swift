import NN
import Tensor

/// Classifier-free guidance (Ho & Salimans 2022, "Classifier-Free Diffusion Guidance") as a
/// `Denoiser`, so every sampler gets it: a class-conditional backbone denoiser is evaluated with
/// the requested labels y (cond) and with "no label" (uncond), and the posterior mean is
///
///     mean = uncond + w (cond - uncond) = (1 - w) uncond + w cond
///
/// with the guidance scale w: w = 0 samples the unconditional model, w = 1 the conditional one,
/// w > 1 strengthens the class. (Ho & Salimans write (1 + w') cond - w' uncond on the noise
/// prediction: w' = w - 1. The mean of a preconditioned denoiser is affine in its backbone's
/// output with coefficients that do not depend on the label, so guiding the mean is the same
/// as guiding the noise, velocity or x prediction.) The variance is the base denoiser's.
/// w = 1 and w = 0 take one backbone evaluation, other scales two.
public struct GuidedDenoiser: Denoiser {
    public let base: any BackboneDenoiser
    /// The class of each row of the batches this denoiser is called on, each in 0..<K.
    public let labels: [Int]
    /// The row index that means "no label" (K, the number of classes).
    public let noLabel: Int
    /// w.
    public let guidance: Double

    public init(base: any BackboneDenoiser, labels: [Int], noLabel: Int, guidance: Double) {
        precondition(guidance.isFinite, "GuidedDenoiser: guidance \(guidance) must be finite")
        self.base = base
        self.labels = labels
        self.noLabel = noLabel
        self.guidance = guidance
    }

    public var schedule: any NoiseSchedule { base.schedule }

    public func callAsFunction(_ xt: Tensor, t: Double) -> any Posterior {
        let b = xt.shape.first ?? 1
        precondition(labels.count == b, "GuidedDenoiser: \(labels.count) labels for a batch of \(b)")
        let unconditional = ForwardContext(training: false, labels: Array(repeating: noLabel, count: b))
        let conditional = ForwardContext(training: false, labels: labels)
        if guidance == 1 { return base.posterior(xt, t: t, context: conditional) }
        var uncond = base.posterior(xt, t: t, context: unconditional)
        if guidance == 0 { return uncond }
        let cond = base.posterior(xt, t: t, context: conditional)
        uncond.mean = combine([(1 - guidance, uncond.mean), (guidance, cond.mean)])
        return uncond
    }
}
