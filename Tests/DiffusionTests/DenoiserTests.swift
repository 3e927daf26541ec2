import XCTest
import Tensor
@testable import Diffusion

final class GaussianDenoiserTests: XCTestCase {
    /// In one dimension E[X | x_t] = mu + alpha v (x_t - alpha mu) / (alpha^2 v + sigma^2).
    func testOneDimensionalClosedForm() {
        let schedule = VPSchedule()
        let d = GaussianDenoiser(mean: [0.7], covariance: Matrix64(rows: 1, cols: 1, values: [2.5]), schedule: schedule)
        let t = 0.4, (alpha, sigma) = schedule(0.4)
        let xt = Tensor(shape: [3, 1], values: [-1, 0.2, 3])
        let mean = d(xt, t: t).mean.scalars
        for (i, x) in [-1.0, 0.2, 3].enumerated() {
            let expected = 0.7 + alpha * 2.5 * (x - alpha * 0.7) / (alpha * alpha * 2.5 + sigma * sigma)
            XCTAssertEqual(Double(mean[i]), expected, accuracy: 1e-6)
        }
        let cov = d.gain(t).covariance[0, 0]
        XCTAssertEqual(cov, 2.5 - alpha * alpha * 2.5 * 2.5 / (alpha * alpha * 2.5 + sigma * sigma), accuracy: 1e-12)
    }

    /// With full covariance the posterior mean is the regression of X on X_t: check it against
    /// the joint covariance formula Cov(X, X_t) Cov(X_t)^(-1) by Monte Carlo-free algebra.
    func testFullCovarianceGainSatisfiesNormalEquations() {
        let schedule = CosineSchedule()
        let d = GaussianTarget.denoiser(schedule)
        let t = 0.6, (alpha, sigma) = schedule(t)
        let (k, cov) = d.gain(t)
        // K (alpha^2 Sigma + sigma^2 I) = alpha Sigma.
        let lhs = k * (alpha * alpha * GaussianTarget.covariance + sigma * sigma * Matrix64.identity(4))
        XCTAssertLessThan((lhs - alpha * GaussianTarget.covariance).norm, 1e-12)
        // Posterior covariance is symmetric positive definite and below the prior.
        XCTAssertLessThan((cov - cov.transposed).norm, 1e-12)
        XCTAssertNotNil(cov.cholesky())
        XCTAssertNotNil((GaussianTarget.covariance - cov).cholesky())
    }

    func testMatrixSolveAndCholesky() {
        let a = GaussianTarget.covariance
        let x = a.solve([1, 2, 3, 4])!
        let back = a * x
        for (u, v) in zip(back, [1.0, 2, 3, 4]) { XCTAssertEqual(u, v, accuracy: 1e-12) }
        let l = a.cholesky()!
        XCTAssertLessThan((l * l.transposed - a).norm, 1e-12)
        XCTAssertNil(Matrix64(rows: 2, cols: 2, values: [1, 2, 2, 1]).cholesky())
        XCTAssertNil(Matrix64(rows: 2, cols: 2, values: [1, 2, 2, 4]).solve([1, 1]))
    }
}

final class PosteriorTests: XCTestCase {
    func testGaussianLogProb() {
        let mean = Tensor(shape: [2, 2], values: [0, 1, 2, 3])
        let variance = Tensor(shape: [2, 2], values: [1, 4, 0.5, 2])
        let p = GaussianPosterior(mean: mean, variance: variance)
        let x = Tensor(shape: [2, 2], values: [1, 1, 1, 5])
        let lp = p.logProb(x)
        let l2pi = log(2 * Double.pi)
        let expected0 = -0.5 * (1.0 / 1 + log(1) + l2pi + 0 + log(4) + l2pi)
        let expected1 = -0.5 * (1.0 / 0.5 + log(0.5) + l2pi + 4.0 / 2 + log(2) + l2pi)
        XCTAssertEqual(lp[0], expected0, accuracy: 1e-9)
        XCTAssertEqual(lp[1], expected1, accuracy: 1e-9)
        // A per-sample variance broadcasts over the sample's elements.
        let q = GaussianPosterior(mean: mean, variance: Tensor(shape: [2], values: [1, 2]))
        XCTAssertEqual(q.logProb(x)[1], -0.5 * (1.0 / 2 + 4.0 / 2 + 2 * (log(2) + l2pi)), accuracy: 1e-9)
        XCTAssertEqual(DiracPosterior(mean: mean).mean.scalars, [0, 1, 2, 3])
    }
}
