import Foundation
import Tensor

/// The exact denoiser of a Gaussian target X ~ N(mu, Sigma) (full covariance) in D dimensions:
/// with x_t = alpha x + sigma z,
///     E[X | x_t] = mu + alpha Sigma (alpha^2 Sigma + sigma^2 I)^(-1) (x_t - alpha mu),
///     Cov[X | x_t] = Sigma - alpha^2 Sigma (alpha^2 Sigma + sigma^2 I)^(-1) Sigma,
/// computed in Float64 with a Cholesky solve. Each sample (all axes after the first) is one
/// D-vector. The mean is affine in x_t, so every deterministic sampler driven by it is an
/// affine map of its initial noise: the tests compute output means and covariances exactly.
public struct GaussianDenoiser: Denoiser {
    public let mu: [Double]
    public let sigma: Matrix64
    public let schedule: any NoiseSchedule

    public init(mean mu: [Double], covariance: Matrix64, schedule: any NoiseSchedule) {
        precondition(covariance.rows == mu.count && covariance.cols == mu.count,
                     "GaussianDenoiser: covariance \(covariance.rows)x\(covariance.cols) for a mean of \(mu.count)")
        precondition(covariance.cholesky() != nil, "GaussianDenoiser: covariance is not symmetric positive definite")
        self.mu = mu
        self.sigma = covariance
        self.schedule = schedule
    }

    public var dimension: Int { mu.count }

    /// The gain K = alpha Sigma (alpha^2 Sigma + sigma^2 I)^(-1) at time t and the posterior covariance.
    public func gain(_ t: Double) -> (gain: Matrix64, covariance: Matrix64) {
        let (alpha, sigmaT) = schedule(t)
        let m = alpha * alpha * sigma + sigmaT * sigmaT * Matrix64.identity(dimension)
        // M is symmetric, so K^T = alpha M^(-1) Sigma.
        guard let l = m.cholesky(), let kT = Matrix64.choleskySolve(l, alpha * sigma) else {
            preconditionFailure("GaussianDenoiser: alpha^2 Sigma + sigma^2 I is singular at t = \(t)")
        }
        let k = kT.transposed
        return (k, sigma - alpha * (k * sigma))
    }

    /// E[X | x_t] per sample, in Float64, for any batch of D-vectors.
    public func posteriorMean(_ xt: [Double], t: Double) -> [Double] {
        let (k, _) = gain(t)
        let alpha = schedule(t).alpha
        let centred = zip(xt, mu).map { $0 - alpha * $1 }
        return zip(mu, k * centred).map(+)
    }

    public func callAsFunction(_ xt: Tensor, t: Double) -> any Posterior {
        let b = xt.shape.first ?? 1
        precondition(b > 0 && xt.count == b * dimension,
                     "GaussianDenoiser: batch of shape \(xt.shape) is not B x \(dimension)")
        let (k, _) = gain(t)
        let alpha = schedule(t).alpha
        let out = Tensor(uninitialized: xt.shape)
        let n = dimension
        let gain = k.values, offset = (0..<n).map { i in mu[i] - alpha * (0..<n).reduce(0) { $0 + k[i, $1] * mu[$1] } }
        let src = xt.pointer, dst = out.pointer
        gain.withUnsafeBufferPointer { g in
            offset.withUnsafeBufferPointer { c in
                for s0 in 0..<b {
                    let x = src + s0 * n, y = dst + s0 * n
                    for i in 0..<n {
                        var acc = c[i]
                        for j in 0..<n { acc += g[i * n + j] * Double(x[j]) }
                        y[i] = Float(acc)
                    }
                }
            }
        }
        return DiracPosterior(mean: out)
    }
}

extension Matrix64 {
    /// X with (L L^T) X = B for a lower-triangular Cholesky factor L.
    static func choleskySolve(_ l: Matrix64, _ b: Matrix64) -> Matrix64? {
        let n = l.rows
        var y = b
        for c in 0..<b.cols {
            for i in 0..<n {
                var s = y[i, c]
                for k in 0..<i { s -= l[i, k] * y[k, c] }
                y[i, c] = s / l[i, i]
            }
            for i in stride(from: n - 1, through: 0, by: -1) {
                var s = y[i, c]
                for k in (i + 1)..<max(i + 1, n) { s -= l[k, i] * y[k, c] }
                y[i, c] = s / l[i, i]
            }
        }
        return y.values.allSatisfy(\.isFinite) ? y : nil
    }
}
