import Tensor

/// The point mass q(x | x_t) = delta(x - mean).
public struct DiracPosterior: Posterior {
    public var mean: Tensor
    public init(mean: Tensor) { self.mean = mean }
}
