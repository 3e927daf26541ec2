import Foundation
import Tensor
@testable import Diffusion

/// The 4-D Gaussian target with a full covariance used by the sampler tests, and the exact
/// output moments of a sampler driven by the analytic denoiser.
enum GaussianTarget {
    static let mu: [Double] = [0.5, -1.0, 2.0, 0.25]
    static let covariance: Matrix64 = {
        let a = Matrix64(rows: 4, cols: 4, values: [
            1.0, 0.3, -0.2, 0.1,
            0.0, 0.8, 0.4, -0.3,
            0.2, 0.0, 0.6, 0.5,
            -0.1, 0.2, 0.0, 0.4,
        ])
        return a * a.transposed + 0.05 * Matrix64.identity(4)
    }()

    static func denoiser(_ schedule: any NoiseSchedule) -> GaussianDenoiser {
        GaussianDenoiser(mean: mu, covariance: covariance, schedule: schedule)
    }

    /// The exact marginal of x_t: N(alpha_t mu, alpha_t^2 Sigma + sigma_t^2 I).
    static func marginal(_ schedule: any NoiseSchedule, _ t: Double) -> (mean: [Double], covariance: Matrix64) {
        let (alpha, sigma) = schedule(t)
        return (mu.map { alpha * $0 }, alpha * alpha * covariance + sigma * sigma * Matrix64.identity(4))
    }

    /// A deterministic sampler is an affine map x_0 = A x_T + b of its input: run it on zero and
    /// the basis vectors, then push the exact marginal at t_T through (A, b).
    static func exactOutput(_ sampler: any Sampler) -> (mean: [Double], covariance: Matrix64) {
        // Probe directions scaled to the spread of x_T, so that Float32 differences stay accurate.
        let start = marginal(sampler.denoiser.schedule, sampler.settings.start)
        let scale = (0..<4).map { start.covariance[$0, $0] }.max()!.squareRoot()
        var rows = [Float](repeating: 0, count: 20)
        for j in 0..<4 { rows[4 * (j + 1) + j] = Float(scale) }
        let out = sampler(Tensor(shape: [5, 4], values: rows)).scalars.map(Double.init)
        let b = Array(out[0..<4])
        var a = Matrix64(zeros: 4, 4)
        for j in 0..<4 { for i in 0..<4 { a[i, j] = (out[4 * (j + 1) + i] - b[i]) / scale } }
        let mean = zip(a * start.mean, b).map(+)
        return (mean, a * start.covariance * a.transposed)
    }

    /// |mean error| + ||covariance error||_F against the exact marginal at t_0 = stop.
    static func error(_ sampler: any Sampler) -> Double {
        let out = exactOutput(sampler)
        let target = marginal(sampler.denoiser.schedule, sampler.settings.stop)
        let dm = zip(out.mean, target.mean).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        return dm + (out.covariance - target.covariance).norm
    }
}
