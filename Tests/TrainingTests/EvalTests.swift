import Diffusion
import Foundation
import NN
import Tensor
import XCTest
@testable import Evaluation
@testable import Sampling
@testable import Training

final class EvalTests: XCTestCase {
    // X ~ N(mu, Sigma) in 2-D under the VP schedule.
    let mu = [0.3, -0.2]
    let covariance = Matrix64(rows: 2, cols: 2, values: [1.0, 0.3, 0.3, 0.5])

    /// log N(x; alpha_0 mu, alpha_0^2 Sigma + sigma_0^2 I): the model's density at t = 0.
    func closedForm(_ x: [Double], schedule: any NoiseSchedule) -> Double {
        let (a, s) = schedule(0)
        let c = [a * a * covariance[0, 0] + s * s, a * a * covariance[0, 1], a * a * covariance[1, 1] + s * s]
        let det = c[0] * c[2] - c[1] * c[1]
        let d0 = x[0] - a * mu[0], d1 = x[1] - a * mu[1]
        let quad = (c[2] * d0 * d0 - 2 * c[1] * d0 * d1 + c[0] * d1 * d1) / det
        return -0.5 * (quad + log(det) + 2 * log(2 * Double.pi))
    }

    func points(_ n: Int) -> Tensor {
        let z = CounterRNG(seed: 4).normal([n, 2], purpose: .misc, step: 0, firstSample: 0)
        // x = mu + L z with L the Cholesky factor of Sigma.
        let l = covariance.cholesky()!
        let out = Tensor(uninitialized: [n, 2])
        for i in 0..<n {
            let z0 = Double(z.pointer[2 * i]), z1 = Double(z.pointer[2 * i + 1])
            out.pointer[2 * i] = Float(mu[0] + l[0, 0] * z0)
            out.pointer[2 * i + 1] = Float(mu[1] + l[1, 0] * z0 + l[1, 1] * z1)
        }
        return out
    }

    func testGaussianNLLMatchesTheClosedForm() throws {
        for schedule in [VPSchedule() as any NoiseSchedule, CosineSchedule()] {
            let model = GaussianDenoiser(mean: mu, covariance: covariance, schedule: schedule)
            let x = points(12)
            let exact = ProbabilityFlowLikelihood(model: model, steps: 512, trace: .exact).logLikelihood(x)
            for i in 0..<12 {
                let expected = closedForm([Double(x.pointer[2 * i]), Double(x.pointer[2 * i + 1])], schedule: schedule)
                XCTAssertEqual(exact[i], expected, accuracy: 2e-3, "sample \(i) under \(type(of: schedule))")
            }
            // Bits per dimension with the Hutchinson estimate: unbiased, within 4 standard errors.
            let many = points(300)
            let flow = ProbabilityFlowLikelihood(model: model, steps: 64, trace: .hutchinson, seed: 9)
            let bits = NLLEvaluation.bitsPerDimension(flow, many, batch: 100, offset: 0)
            let (mean, se) = NLLEvaluation.meanAndStandardError(bits)
            let expected = (0..<300).map { i in
                -closedForm([Double(many.pointer[2 * i]), Double(many.pointer[2 * i + 1])], schedule: schedule) / (2 * log(2))
            }.reduce(0, +) / 300
            XCTAssertGreaterThan(se, 0)
            XCTAssertEqual(mean, expected, accuracy: 4 * se + 1e-3)
            // The estimate depends on the probes only through their seed, not on the batch.
            XCTAssertEqual(bits, NLLEvaluation.bitsPerDimension(flow, many, batch: 300, offset: 0))
        }
    }

    func testBackboneJacobianProbeMatchesFiniteDifferences() throws {
        let mlp = MLP(MLPConfig(features: 3, hiddenWidths: [8], posDim: 4, embDim: 8), seed: 2)
        let denoiser = KarrasDenoiser(backbone: mlp, schedule: VPSchedule())
        let probe = BackboneMeanJacobian(denoiser)
        let x = CounterRNG(seed: 1).normal([2, 3], purpose: .misc, step: 0, firstSample: 0)
        let v = CounterRNG(seed: 2).normal([2, 3], purpose: .misc, step: 0, firstSample: 0)
        let t = 0.4
        let (mean, quadratic) = probe.meanAndProbe(x, t: t, probes: v)
        XCTAssertLessThan(mean.maxAbsDifference(denoiser(x, t: t).mean), 1e-5)
        // v^T J v from central differences of the mean along v, in Float64 sums.
        let h: Float = 1e-2
        let plus = x.copy(), minus = x.copy()
        plus.addInPlace(v, scaledBy: h)
        minus.addInPlace(v, scaledBy: -h)
        let mp = denoiser(plus, t: t).mean, mm = denoiser(minus, t: t).mean
        for s in 0..<2 {
            var expected = 0.0
            for i in 0..<3 {
                let k = s * 3 + i
                expected += Double(v.pointer[k]) * (Double(mp.pointer[k]) - Double(mm.pointer[k])) / (2 * Double(h))
            }
            XCTAssertEqual(quadratic[s], expected, accuracy: 2e-3 * max(1, abs(expected)))
        }
    }

    func testNLLCommandOnACheckpoint() throws {
        let dir = try SampleFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ckpt = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.mlpYAML, directory: dir)
        var o = NLLOptions(checkpoint: ckpt, data: "two-moons")
        o.count = 6; o.steps = 4; o.batch = 4
        let report = try NLLEvaluation.run(o)
        XCTAssertEqual(report.value("samples"), 6)
        XCTAssertEqual(report.value("dimensions"), 2)
        let bpd = try XCTUnwrap(report.value("bits_per_dim"))
        XCTAssertTrue(bpd.isFinite)
        XCTAssertEqual(report.value("nll_nats")!, bpd * 2 * log(2), accuracy: 1e-9)
        XCTAssertTrue(report.table().contains("bits_per_dim"))
        let json = (dir as NSString).appendingPathComponent("nll.json")
        try report.writeJSON(to: json)
        let decoded = try JSONDecoder().decode(EvaluationReport.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        XCTAssertEqual(decoded, report)
        // Data of another shape is refused.
        o.data = "shapes16"
        XCTAssertThrowsError(try NLLEvaluation.run(o)) { XCTAssertTrue("\($0)".contains("samples of shape [1, 16, 16], but the model makes [2]"), "\($0)") }
    }

    func testSlicedWassersteinAndMMD() {
        let x = points(200), y = points(400).slice(200..<400).copy()
        XCTAssertEqual(SlicedWasserstein.distance(x, x), 0, accuracy: 1e-12)
        // A shift by c along e1 gives c sqrt(mean theta_1^2), about c / sqrt(2) in 2-D.
        let shifted = x.copy()
        for i in 0..<200 { shifted.pointer[2 * i] += 3 }
        XCTAssertEqual(SlicedWasserstein.distance(x, shifted, directions: 512), 3 / 2.squareRoot(), accuracy: 0.2)
        XCTAssertLessThan(SlicedWasserstein.distance(x, y), 0.3)
        let same = MaximumMeanDiscrepancy.squared(x, y), apart = MaximumMeanDiscrepancy.squared(x, shifted)
        XCTAssertLessThan(abs(same.mmd2), 0.02)
        XCTAssertGreaterThan(apart.mmd2, 0.3)
        // Two points at distance 1 and 3 apart: median bandwidth of 4 pooled points.
        let a = Tensor(shape: [2, 1], values: [0, 1]), b = Tensor(shape: [2, 1], values: [3, 4])
        let r = MaximumMeanDiscrepancy.squared(a, b, bandwidth: 1)
        let k = { (d: Double) in exp(-d * d / 2) }
        XCTAssertEqual(r.mmd2, k(1) + k(1) - 2 * (k(3) + k(4) + k(2) + k(3)) / 4, accuracy: 1e-12)
    }

    func testPrecisionRecallAndPixelStatistics() {
        let real = CounterRNG(seed: 5).normal([40, 1, 4, 4], purpose: .misc, step: 0, firstSample: 0)
        let same = NearestNeighbourPrecisionRecall.evaluate(real: real, generated: real.copy())
        XCTAssertEqual(same.precision, 1)
        XCTAssertEqual(same.recall, 1)
        let far = real.map { $0 + 50 }
        let apart = NearestNeighbourPrecisionRecall.evaluate(real: real, generated: far)
        XCTAssertEqual(apart.precision, 0)
        XCTAssertEqual(apart.recall, 0)
        // Half the generated set collapsed onto one real image: precision stays 1, recall drops.
        let collapsed = real.copy()
        for s in 20..<40 { for i in 0..<16 { collapsed.pointer[s * 16 + i] = real.pointer[i] } }
        let mode = NearestNeighbourPrecisionRecall.evaluate(real: real, generated: collapsed)
        XCTAssertEqual(mode.precision, 1)
        XCTAssertLessThan(mode.recall, 1)

        let shifted = real.map { 2 * $0 + 0.5 }
        let stats = PixelStatistics.errors(generated: shifted, data: real)
        let (m, s) = PixelStatistics.moments(real)
        XCTAssertEqual(stats.meanError, zip(m, m).map { abs((2 * $0 + 0.5) - $1) }.reduce(0, +) / 16, accuracy: 1e-5)
        XCTAssertEqual(stats.stdError, s.reduce(0, +) / 16, accuracy: 1e-5)
    }

    func testQualityOfSamplesFromACheckpointAndFromAFile() throws {
        let dir = try SampleFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ckpt = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.mlpYAML, directory: dir)
        var s = SampleOptions(checkpoint: ckpt)
        s.count = 30; s.steps = 3; s.h5 = (dir as NSString).appendingPathComponent("s.h5")
        _ = try SampleRun.run(s, reporter: SampleFixtures.quietReporter())
        let fromFile = try QualityEvaluation.run(QualityOptions(data: "two-moons", samples: s.h5))
        s.h5 = nil
        let drawn = try QualityEvaluation.run(QualityOptions(data: "two-moons", sampling: s))
        XCTAssertEqual(fromFile.value("sliced_wasserstein"), drawn.value("sliced_wasserstein"))
        XCTAssertEqual(fromFile.value("samples"), 30)
        XCTAssertNotNil(fromFile.value("mmd2"))
        XCTAssertNotNil(fromFile.value("sliced_wasserstein_data_vs_data"))

        let image = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.unetYAML, directory: dir + "/u")
        var u = SampleOptions(checkpoint: image)
        u.count = 6; u.steps = 2
        let images = try QualityEvaluation.run(QualityOptions(data: "shapes16", sampling: u))
        for name in ["precision", "recall"] {
            let value = try XCTUnwrap(images.value(name))
            XCTAssertTrue((0...1).contains(value), name)
        }
        XCTAssertNotNil(images.value("pixel_std_error"))
    }
}

final class VDMLikelihoodTests: XCTestCase {
    /// With eps_hat = 0 the diffusion term is 1/2 gamma'(t) ||eps||^2, whose expectation is
    /// D/2 (gamma_max - gamma_min) whatever the schedule's shape: the estimate must find it.
    func testDiffusionTermOfAZeroPredictorAndBatchIndependence() throws {
        let mlp = MLP(MLPConfig(features: 4, hiddenWidths: [8], posDim: 4, embDim: 8), seed: 1)
        for p in mlp.parameters { p.value.fill(0) }
        let schedule = LearnedSchedule(hidden: 8, seed: 3, bump: 2)
        let vdm = VDM(schedule: schedule, backbone: mlp)
        let x = CounterRNG(seed: 8).uniform([64, 4], purpose: .misc, step: 0, firstSample: 0).map { 2 * $0 - 1 }
        let terms = VDMLikelihood.terms(vdm, x, draws: 8, seed: 5)
        let (mean, se) = NLLEvaluation.meanAndStandardError(terms.diffusion)
        XCTAssertEqual(mean, 4.0 / 2 * (5.0 - -13.3), accuracy: 4 * se)
        XCTAssertLessThan(se, 0.2 * mean)
        XCTAssertEqual(terms.prior, vdm.priorLoss(x))
        let bits = VDMLikelihood.bitsPerDimension(vdm, x, draws: 2, seed: 5, batch: 64)
        XCTAssertEqual(bits, VDMLikelihood.bitsPerDimension(vdm, x, draws: 2, seed: 5, batch: 10))
        let first = VDMLikelihood.terms(vdm, x.slice(0..<10).copy(), draws: 2, seed: 5)
        XCTAssertEqual(bits[3], first.total[3] / (4 * log(2)), accuracy: 1e-12)
    }
}
