import Foundation
import Tensor

/// A diagonal Gaussian q(x | x_t) = N(mean, diag(variance)) (azula's `Gaussian`). `variance`
/// has the shape of `mean`, or one element per sample (shape [B]), or a single element.
public struct GaussianPosterior: Posterior {
    public var mean: Tensor
    public var variance: Tensor

    public init(mean: Tensor, variance: Tensor) {
        let b = mean.shape.first ?? 1
        precondition(variance.shape == mean.shape || variance.count == 1 || (variance.rank == 1 && variance.count == b),
                     "GaussianPosterior: variance of shape \(variance.shape) does not fit mean of shape \(mean.shape)")
        self.mean = mean
        self.variance = variance
    }

    /// log N(x | mean, diag(variance)) per sample (the first axis is the batch):
    /// -1/2 sum_i [ (x_i - mean_i)^2 / var_i + log(2 pi var_i) ], accumulated in Float64.
    public func logProb(_ x: Tensor) -> [Double] {
        Tensor.checkSameShape(x, mean, "GaussianPosterior.logProb")
        let b = mean.rank == 0 ? 1 : mean.shape[0]
        let per = b == 0 ? 0 : mean.count / b
        let xp = x.pointer, mp = mean.pointer, vp = variance.pointer
        return (0..<b).map { s in
            var acc = 0.0
            for i in 0..<per {
                let k = s * per + i
                let v = Double(variance.count == mean.count ? vp[k] : (variance.count == 1 ? vp[0] : vp[s]))
                let d = Double(xp[k]) - Double(mp[k])
                acc += d * d / v + Foundation.log(2 * Double.pi * v)
            }
            return -0.5 * acc
        }
    }
}
