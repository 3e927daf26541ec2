import Foundation
import Autograd
import NN
import Tensor

/// The coefficients of a preconditioned denoiser (Karras et al. 2022, generalised to alpha_t by azula):
///     E[x | x_t] ~ c_skip x_t + c_out F(c_in x_t, c_time),  c_time = log(sigma_t / alpha_t).
public struct Preconditioning: Equatable, Sendable {
    public var cIn: Double
    public var cOut: Double
    public var cSkip: Double
    public var cTime: Double

    public init(cIn: Double, cOut: Double, cSkip: Double, cTime: Double) {
        self.cIn = cIn
        self.cOut = cOut
        self.cSkip = cSkip
        self.cTime = cTime
    }
}

/// A denoiser built on a trainable `Backbone` F: it fixes the preconditioning and the weight
/// lambda_t of its training objective lambda_t ||mean - x||^2. The shared extension gives the
/// forward pass (with autograd, for training), the forward-only posterior (for sampling) and the loss.
public protocol BackboneDenoiser: Denoiser {
    var backbone: any Backbone { get }
    func preconditioning(alpha: Double, sigma: Double) -> Preconditioning
    /// lambda_t of the objective written on the denoised mean.
    func lossWeight(alpha: Double, sigma: Double) -> Double
}

extension BackboneDenoiser {
    /// The backbone output F(c_in x_t, c_time) for per-sample (alpha, sigma), with the graph recorded.
    public func backboneOutput(_ xt: Tensor, alpha: [Double], sigma: [Double], context: ForwardContext) -> Variable {
        let c = zip(alpha, sigma).map { preconditioning(alpha: $0, sigma: $1) }
        let input = scalePerSample(xt, c.map(\.cIn))
        let time = Tensor(shape: [c.count], values: c.map { Float($0.cTime) })
        return backbone.forward(Variable(input), Variable(time), context: context)
    }

    /// E[x | x_t] = c_skip x_t + c_out F (autograd through F).
    public func mean(_ xt: Tensor, alpha: [Double], sigma: [Double], context: ForwardContext) -> Variable {
        let c = zip(alpha, sigma).map { preconditioning(alpha: $0, sigma: $1) }
        let f = backboneOutput(xt, alpha: alpha, sigma: sigma, context: context)
        let shape = [c.count] + Array(repeating: 1, count: max(0, xt.rank - 1))
        let cOut = Variable(Tensor(shape: shape, values: c.map { Float($0.cOut) }))
        return Variable(scalePerSample(xt, c.map(\.cSkip))) + cOut * f
    }

    /// Forward-only posterior at one time: N(mean, sigma^2 / (alpha^2 + sigma^2)) (azula's variance,
    /// exact for a standard normal target).
    public func callAsFunction(_ xt: Tensor, t: Double) -> any Posterior {
        posterior(xt, t: t, context: .inference)
    }

    /// The forward-only posterior at one time with a given context (e.g. the class labels of a
    /// class-conditional backbone, `context.labels`).
    public func posterior(_ xt: Tensor, t: Double, context: ForwardContext) -> GaussianPosterior {
        withNoGrad {
            let b = xt.shape.first ?? 1
            let (alpha, sigma) = schedule(t)
            let m = mean(xt, alpha: Array(repeating: alpha, count: b), sigma: Array(repeating: sigma, count: b),
                         context: context).value
            return GaussianPosterior(mean: m, variance: Tensor(scalar: Float(sigma * sigma / (alpha * alpha + sigma * sigma))))
        }
    }

    /// The denoising loss per sample, lambda_b mean_i (mean_bi - x_bi)^2 with x_t = alpha_b x + sigma_b z
    /// ([B], graph recorded), evaluated in the backbone's own target space for accuracy:
    ///     lambda (c_skip x_t + c_out F - x)^2 = lambda c_out^2 (F - T)^2,
    ///     T = ((1 - c_skip alpha) x - c_skip sigma z) / c_out.
    /// `times` has one t per sample, `noise` is z (shape of x).
    public func losses(_ x: Tensor, times: [Double], noise z: Tensor, context: ForwardContext) -> Variable {
        Tensor.checkSameShape(x, z, "BackboneDenoiser.losses")
        let b = x.shape[0]
        precondition(times.count == b, "BackboneDenoiser.losses: \(times.count) times for a batch of \(b)")
        let (alpha, sigma) = schedule(times)
        let c = zip(alpha, sigma).map { preconditioning(alpha: $0, sigma: $1) }
        let xt = scalePerSample(x, alpha)
        xt.addInPlace(scalePerSample(z, sigma))
        let f = backboneOutput(xt, alpha: alpha, sigma: sigma, context: context)
        let target = Tensor(uninitialized: x.shape)
        let per = x.count / b
        let xp = x.pointer, zp = z.pointer, tp = target.pointer
        for n in 0..<b {
            let a = (1 - c[n].cSkip * alpha[n]) / c[n].cOut, bz = -c[n].cSkip * sigma[n] / c[n].cOut
            for i in 0..<per { tp[n * per + i] = Float(a * Double(xp[n * per + i]) + bz * Double(zp[n * per + i])) }
        }
        let weights = (0..<b).map { Float(lossWeight(alpha: alpha[$0], sigma: sigma[$0]) * c[$0].cOut * c[$0].cOut) }
        let squared = Autograd.mean(square(f - Variable(target)), axes: Array(1..<x.rank))
        return squared * Variable(Tensor(shape: [b], values: weights))
    }

    /// The batch loss: the mean of `losses` (= mean_{b,i} lambda_b (mean_bi - x_bi)^2).
    public func loss(_ x: Tensor, times: [Double], noise z: Tensor, context: ForwardContext) -> Variable {
        Autograd.mean(losses(x, times: times, noise: z, context: context))
    }

    /// Per-sample losses with times drawn by `sampling` and noise z ~ N(0, I) (purpose .noise), both
    /// keyed by (seed, step, global sample index); returns the losses [B] and the times drawn.
    public func losses(_ x: Tensor, sampling: NoiseLevelSampling, rng: CounterRNG, step: UInt32, firstSample: Int,
                       globalBatchSize: Int, context: ForwardContext) -> (losses: Variable, times: [Double]) {
        let t = sampling.draw(count: x.shape[0], schedule: schedule, rng: rng, step: step, firstSample: firstSample,
                              globalBatchSize: globalBatchSize)
        let z = rng.normal(x.shape, purpose: .noise, step: step, firstSample: firstSample)
        return (losses(x, times: t, noise: z, context: context), t)
    }

    /// The batch loss with times drawn by `sampling` (see `losses(_:sampling:...)`), so that the
    /// result does not depend on how the batch is split over ranks.
    public func loss(_ x: Tensor, sampling: NoiseLevelSampling, rng: CounterRNG, step: UInt32, firstSample: Int,
                     globalBatchSize: Int, context: ForwardContext) -> Variable {
        Autograd.mean(losses(x, sampling: sampling, rng: rng, step: step, firstSample: firstSample,
                             globalBatchSize: globalBatchSize, context: context).losses)
    }
}
