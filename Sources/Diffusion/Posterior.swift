import Tensor

/// A denoising posterior q(x | x_t): what a denoiser returns. Samplers use its mean.
public protocol Posterior {
    var mean: Tensor { get }
}
