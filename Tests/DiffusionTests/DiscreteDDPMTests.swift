import XCTest
import Tensor
@testable import Diffusion

final class DiscreteDDPMTests: XCTestCase {
    let ddpm = DiscreteDDPM()

    func testBetasAndAlphaBar() {
        XCTAssertEqual(ddpm.betas.count, 1000)
        XCTAssertEqual(ddpm.betas[0], 1e-4, accuracy: 1e-18)
        XCTAssertEqual(ddpm.betas[999], 0.02, accuracy: 1e-15)
        XCTAssertEqual(ddpm.alphaBar[1], (1 - 1e-4) * (1 - ddpm.betas[1]), accuracy: 1e-15)
        XCTAssertEqual(ddpm.alphaBar[999], 4.035e-5, accuracy: 1e-7)   // Ho et al.: alphaBar_T ~ 4e-5
    }

    /// The posterior equals Gaussian conditioning of the joint of (x_{i-1}, x_i) given x_0:
    /// x_{i-1} = sqrt(ab_{i-1}) x_0 + sqrt(1 - ab_{i-1}) e1, x_i = sqrt(alpha_i) x_{i-1} + sqrt(beta_i) e2.
    func testPosteriorAgainstGaussianConditioning() {
        for i in [2, 10, 500, 1000] {
            let abPrev = ddpm.alphaBar[i - 2], ab = ddpm.alphaBar[i - 1], beta = ddpm.betas[i - 1]
            let cov = (1 - beta).squareRoot() * (1 - abPrev), varXi = 1 - ab
            // E[x_{i-1} | x_i, x_0] = sqrt(abPrev) x0 + cov / varXi (x_i - sqrt(ab) x0).
            let cXi = cov / varXi, cX0 = abPrev.squareRoot() - cXi * ab.squareRoot()
            let variance = (1 - abPrev) - cov * cov / varXi
            let p = ddpm.posterior(i)
            XCTAssertEqual(p.coefficientXi, cXi, accuracy: 1e-12)
            XCTAssertEqual(p.coefficientX0, cX0, accuracy: 1e-12)
            XCTAssertEqual(p.variance, variance, accuracy: 1e-12)
        }
        XCTAssertEqual(ddpm.posterior(1).variance, 0)
    }

    /// With the true noise, the eps-parametrised reverse mean is the posterior mean.
    func testReverseMeanWithTrueNoiseIsPosteriorMean() {
        let x0 = Tensor(shape: [2, 3], values: [0.5, -1, 2, 0, 0.3, -0.7])
        let eps = CounterRNG(seed: 1).normal([2, 3], purpose: .noise, step: 0, firstSample: 0)
        let i = 300
        let xi = ddpm.diffuse(x0, steps: [i, i], noise: eps)
        let step = ddpm.reverseStep(xi, step: i, predictedNoise: eps, noise: Tensor(zeros: [2, 3]))
        let p = ddpm.posterior(i)
        for k in 0..<6 {
            let expected = p.coefficientX0 * Double(x0.scalars[k]) + p.coefficientXi * Double(xi.scalars[k])
            XCTAssertEqual(Double(step.scalars[k]), expected, accuracy: 1e-5)
        }
        let tilde = DiscreteDDPM(reverseVariance: .betaTilde)
        XCTAssertEqual(tilde.reverseStepVariance(i), p.variance, accuracy: 1e-15)
        XCTAssertEqual(ddpm.reverseStepVariance(i), ddpm.betas[i - 1])
    }

    /// Ancestral sampling with the exact noise predictor of a 1-D Gaussian reproduces it.
    func testSamplingWithExactPredictorMatchesTarget() {
        let small = DiscreteDDPM(betaStart: 1e-3, betaEnd: 0.2, steps: 100)
        let mu = 1.5, v = 0.25
        let n = 8000
        let x = small.sample(shape: [n, 1], seed: 4) { xi, c in
            // alphaBar from c: tan^2 relation, c = 1/2 log((1 - ab) / ab).
            let ab = 1 / (1 + exp(2 * c))
            let mean = xi.map { Float(mu + ab.squareRoot() * v / (ab * v + 1 - ab) * (Double($0) - ab.squareRoot() * mu)) }
            // eps = (x_i - sqrt(ab) E[x_0 | x_i]) / sqrt(1 - ab).
            return combine([(1 / (1 - ab).squareRoot(), xi), (-ab.squareRoot() / (1 - ab).squareRoot(), mean)])
        }
        let values = x.scalars.map(Double.init)
        let m = values.reduce(0, +) / Double(n)
        let s2 = values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(n - 1)
        XCTAssertEqual(m, mu, accuracy: 5 * (v / Double(n)).squareRoot())
        XCTAssertEqual(s2, v, accuracy: 5 * v * (2 / Double(n)).squareRoot() + 0.01)
    }

    func testDrawnStepsCoverRangeAndAreBatchInvariant() {
        let rng = CounterRNG(seed: 5)
        let all = ddpm.drawSteps(count: 1000, rng: rng, step: 3, firstSample: 0)
        XCTAssertTrue(all.allSatisfy { (1...1000).contains($0) })
        XCTAssertEqual(Array(all[10..<20]), ddpm.drawSteps(count: 10, rng: rng, step: 3, firstSample: 10))
        XCTAssertGreaterThan(Set(all).count, 500)
    }
}

final class DiscreteDDPMTrainingTests: XCTestCase {
    /// L_simple equals the mean squared noise error computed from its definition.
    func testSimpleLossAgainstDefinition() {
        let ddpm = DiscreteDDPM()
        let backbone = AffineBackbone()
        let rng = CounterRNG(seed: 12)
        let x0 = Tensor(shape: [3, 2], values: [0.5, -1, 0.2, 0.3, -0.7, 1.1])
        let loss = Double(ddpm.simpleLoss(x0, backbone: backbone, rng: rng, step: 2, firstSample: 4, context: .inference).value.item)
        let steps = ddpm.drawSteps(count: 3, rng: rng, step: 2, firstSample: 4)
        let eps = rng.normal([3, 2], purpose: .noise, step: 2, firstSample: 4).scalars.map(Double.init)
        var expected = 0.0
        for b in 0..<3 {
            let ab = ddpm.alphaBar[steps[b] - 1]
            for i in 0..<2 {
                let xi = ab.squareRoot() * Double(x0.scalars[2 * b + i]) + (1 - ab).squareRoot() * eps[2 * b + i]
                let epsHat = 0.7 * xi + 0.1 * ddpm.conditioning(steps[b])
                expected += (epsHat - eps[2 * b + i]) * (epsHat - eps[2 * b + i]) / 6
            }
        }
        XCTAssertEqual(loss, expected, accuracy: 1e-5 * max(1, expected))
        let (perSample, drawn) = ddpm.simpleLosses(x0, backbone: backbone, rng: rng, step: 2, firstSample: 4, context: .inference)
        XCTAssertEqual(drawn, steps)
        XCTAssertEqual(perSample.value.scalars.map(Double.init).reduce(0, +) / 3, loss, accuracy: 1e-6)
        let out = ddpm.sample(shape: [2, 2], backbone: backbone, seed: 1)
        XCTAssertEqual(out.shape, [2, 2])
        XCTAssertTrue(out.isFinite)
    }

    func testDenoiserFactory() throws {
        let b = AffineBackbone()
        XCTAssertTrue(try makeDenoiser(name: "Karras", backbone: b, schedule: VPSchedule()) is KarrasDenoiser)
        XCTAssertTrue(try makeDenoiser(name: "epsilon", backbone: b, schedule: VPSchedule()) is EpsilonDenoiser)
        XCTAssertThrowsError(try makeDenoiser(name: "edm2", backbone: b, schedule: VPSchedule())) {
            XCTAssertTrue("\($0)".contains("unknown denoiser 'edm2'"))
        }
    }
}
