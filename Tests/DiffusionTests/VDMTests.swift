import XCTest
import Autograd
import NN
import Tensor
@testable import Diffusion

final class LearnedScheduleTests: XCTestCase {
    func testEndpointsMonotoneAndDerivative() {
        let s = LearnedSchedule(hidden: 32, seed: 3, bump: 2)
        XCTAssertEqual(s.gamma(0).gamma, -13.3, accuracy: 1e-9)
        XCTAssertEqual(s.gamma(1).gamma, 5.0, accuracy: 1e-9)
        var previous = -Double.infinity
        for i in 0...100 {
            let t = Double(i) / 100
            let (g, dg) = s.gamma(t)
            XCTAssertGreaterThan(g, previous)
            XCTAssertGreaterThan(dg, 0)
            previous = g
            if i > 0 && i < 100 {
                let h = 1e-5
                XCTAssertEqual(dg, (s.gamma(t + h).gamma - s.gamma(t - h).gamma) / (2 * h), accuracy: 1e-5 * max(1, dg))
            }
        }
        // sigma^2 = sigmoid(gamma), alpha^2 = sigmoid(-gamma).
        let (alpha, sigma) = s(0.3)
        XCTAssertEqual(alpha * alpha + sigma * sigma, 1, accuracy: 1e-12)
        XCTAssertEqual(log(sigma * sigma / (alpha * alpha)), s.gamma(0.3).gamma, accuracy: 1e-9)
    }

    /// The autograd form agrees with the Float64 form, and its gradients w.r.t. the raw parameters
    /// match central differences.
    func testAutogradFormAndGradients() {
        let s = LearnedSchedule(hidden: 8, seed: 4, bump: 1)
        let times: [Float] = [0, 0.2, 0.55, 0.9, 1]
        let (g, dg) = s.gamma(Variable(Tensor(shape: [5], values: times)))
        for (i, t) in times.enumerated() {
            XCTAssertEqual(Double(g.value.scalars[i]), s.gamma(Double(t)).gamma, accuracy: 1e-4)
            XCTAssertEqual(Double(dg.value.scalars[i]), s.gamma(Double(t)).derivative, accuracy: 1e-3)
        }
        let t = Variable(Tensor(shape: [3], values: [0.1, 0.5, 0.8]))
        let result = GradientCheck.check(inputs: s.parameters.map(\.value), eps: 1e-2, floor: 0.05) { p in
            let (g, dg) = LearnedSchedule.gamma(t, parameters: p, gammaMin: -13.3, gammaMax: 5)
            return g + dg
        }
        XCTAssertLessThan(result.maxRelativeError, 2e-2, "\(result)")
    }
}

final class VDMTests: XCTestCase {
    /// VDM's invariance (Kingma et al. 2021, sec. 5.1): with the exact denoiser (a function of z_t and
    /// the SNR), the continuous-time diffusion loss depends on the schedule only through its endpoints:
    ///     E[1/2 gamma'(t) ||eps - eps_hat||^2] = 1/2 [log det(I + v_max Sigma) - log det(I + v_min Sigma)],
    /// v = e^(-gamma). Two differently shaped learned schedules give the same value within MC error.
    func testDiffusionLossIsInvariantToScheduleShape() {
        let shapes = [LearnedSchedule(hidden: 16, seed: 1, bump: 0.05), LearnedSchedule(hidden: 16, seed: 2)]
        // The second shape: a steep sigmoid step at t = 0.25 dominating the linear part.
        shapes[1].l2Weight.value.fill(10)
        shapes[1].l2Bias.value.fill(5)
        shapes[1].l3Weight.value.fill(200)
        let gap = (1..<20).map { abs(shapes[0].gamma(Double($0) / 20).gamma - shapes[1].gamma(Double($0) / 20).gamma) }.max()!
        print("largest gamma difference between the two shapes: \(gap)")
        XCTAssertGreaterThan(gap, 1.5, "the shapes must differ")
        let n = 6000
        let rng = CounterRNG(seed: 17)
        let l = GaussianTarget.covariance.cholesky()!
        var estimates: [(mean: Double, se: Double)] = []
        for schedule in shapes {
            let denoiser = GaussianDenoiser(mean: GaussianTarget.mu, covariance: GaussianTarget.covariance, schedule: schedule)
            let times = NoiseLevelSampling.stratified.draw(count: n, schedule: schedule, rng: rng, step: 0, firstSample: 0, globalBatchSize: n)
            let e = rng.normal([n, 8], purpose: .noise, step: 0, firstSample: 0).scalars.map(Double.init)
            var values: [Double] = []
            for k in 0..<n {
                let x = zip(GaussianTarget.mu, l * Array(e[(8 * k)..<(8 * k + 4)])).map(+)
                let eps = Array(e[(8 * k + 4)..<(8 * k + 8)])
                let (alpha, sigma) = schedule(times[k])
                let zt = (0..<4).map { alpha * x[$0] + sigma * eps[$0] }
                let xHat = denoiser.posteriorMean(zt, t: times[k])
                let epsHat = (0..<4).map { (zt[$0] - alpha * xHat[$0]) / sigma }
                let squared = (0..<4).reduce(0.0) { $0 + (eps[$1] - epsHat[$1]) * (eps[$1] - epsHat[$1]) }
                values.append(0.5 * schedule.gamma(times[k]).derivative * squared)
            }
            let m = values.reduce(0, +) / Double(n)
            let v = values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(n - 1)
            estimates.append((m, (v / Double(n)).squareRoot()))
        }
        func logDet(_ m: Matrix64) -> Double { let c = m.cholesky()!; return (0..<4).reduce(0) { $0 + 2 * log(c[$1, $1]) } }
        let analytic = 0.5 * (logDet(Matrix64.identity(4) + exp(13.3) * GaussianTarget.covariance)
                              - logDet(Matrix64.identity(4) + exp(-5.0) * GaussianTarget.covariance))
        let (a, b) = (estimates[0], estimates[1])
        print("VDM diffusion loss: \(a.mean) ± \(a.se), \(b.mean) ± \(b.se), analytic \(analytic)")
        XCTAssertEqual(a.mean, b.mean, accuracy: 4 * (a.se * a.se + b.se * b.se).squareRoot())
        XCTAssertEqual(a.mean, analytic, accuracy: 4 * a.se)
        XCTAssertEqual(b.mean, analytic, accuracy: 4 * b.se)
    }

    func testPriorAndReconstructionTerms() {
        let vdm = VDM(schedule: LearnedSchedule(hidden: 4), backbone: AffineBackbone())
        let x = Tensor(shape: [1, 2], values: [0.5, -1])
        let var1 = 1 / (1 + exp(-5.0)), a1 = 1 - var1
        let expected = 0.5 * (var1 + a1 * 0.25 - 1 - log(var1)) + 0.5 * (var1 + a1 - 1 - log(var1))
        XCTAssertEqual(vdm.priorLoss(x)[0], expected, accuracy: 1e-12)
        // At gamma_0 = -13.3 the decoder is nearly exact: data on bin centres reconstruct with ~0 nats,
        // and data half a bin away (pushed by noise) cost log 2 nats.
        let centres = Tensor(shape: [1, 3], values: [Float(2 * 0.5 / 256 - 1), Float(2 * 128.5 / 256 - 1), Float(2 * 255.5 / 256 - 1)])
        XCTAssertEqual(vdm.reconstructionLoss(centres, noise: Tensor(zeros: [1, 3]))[0], 0, accuracy: 1e-6)
        let sigmaOverAlpha = exp(-13.3 / 2)
        let edge = Tensor(shape: [1, 1], values: [Float(2 * 100.5 / 256 - 1)])
        let push = Tensor(shape: [1, 1], values: [Float(1.0 / 256 / sigmaOverAlpha)])   // z_0 / alpha_0 lands on the bin edge
        XCTAssertEqual(vdm.reconstructionLoss(edge, noise: push)[0], log(2), accuracy: 0.02)
        XCTAssertEqual(VDM.bitsPerDimension(nats: 2 * log(2), dimensions: 2), 1, accuracy: 1e-12)
    }

    /// A tiny VDM (MLP + learned schedule, trained jointly) improves its ELBO on toy 4-D data, and the
    /// schedule stays monotone with its endpoints.
    func testTinyModelELBOImprovesAndGammaStaysMonotone() {
        let schedule = LearnedSchedule(hidden: 16, seed: 5)
        let mlp = MLP(MLPConfig(features: 4, hiddenWidths: [32, 32], posDim: 8, embDim: 16), seed: 6)
        let vdm = VDM(schedule: schedule, backbone: mlp)
        let named = mlp.namedParameters + schedule.namedParameters.map { ("schedule." + $0.name, $0.variable) }
        let params = ParameterSet(named: named)
        let adam = Adam(params, lr: 3e-3)
        let rng = CounterRNG(seed: 8)
        // Toy data on the 256-level grid: two prototypes plus small quantised jitter.
        func data(_ n: Int, _ step: UInt32) -> Tensor {
            let u = rng.uniform([n, 5], purpose: .misc, step: step, firstSample: 0).scalars
            return Tensor(shape: [n, 4], values: (0..<n).flatMap { b -> [Float] in
                let proto: [Float] = u[5 * b] < 0.5 ? [-0.5, 0.5, 0.25, -0.75] : [0.5, -0.25, -0.5, 0.75]
                return (0..<4).map { i in
                    let k = ((proto[i] + 1) / 2 * 256 - 0.5 + (u[5 * b + 1 + i] - 0.5) * 8).rounded()
                    return 2 * (k + 0.5) / 256 - 1
                }
            })
        }
        let held = data(512, 50_000)
        func heldOutBits() -> Double {
            withNoGrad { vdm.loss(held, rng: rng, step: 77_777, firstSample: 0, globalBatchSize: 512, context: .inference) }.terms.bitsPerDimension
        }
        let before = heldOutBits()
        for step in 0..<200 {
            params.zeroGrad()
            let (loss, _) = vdm.loss(data(64, UInt32(step)), rng: rng, step: UInt32(step), firstSample: 0, globalBatchSize: 64,
                                     context: ForwardContext(training: true))
            loss.backward()
            adam.step()
        }
        let after = heldOutBits()
        print("VDM held-out bits/dim: \(before) -> \(after)")
        // The trained VDM samples through any sampler.
        let sampler = HeunSampler(denoiser: VDMDenoiser(vdm), settings: SamplingSettings(steps: 16, seed: 3))
        XCTAssertTrue(sampler(sampler.initial(shape: [8, 4])).isFinite)
        XCTAssertEqual(schedule.gamma(0).gamma, -13.3, accuracy: 1e-6)
        XCTAssertEqual(schedule.gamma(1).gamma, 5, accuracy: 1e-6)
        var previous = -Double.infinity
        for i in 0...200 {
            let g = schedule.gamma(Double(i) / 200).gamma
            XCTAssertGreaterThan(g, previous)
            previous = g
        }
    }
}

/// The exact noise prediction for x ~ N(m, v) per element, from (z_t, c = gamma / 2) alone:
/// alpha^2 = sigmoid(-gamma), E[x | z] = m + alpha v (z - alpha m) / (alpha^2 v + sigma^2), eps = (z - alpha E[x | z]) / sigma.
final class GaussianEpsilonBackbone: Backbone {
    let m: Double, v: Double
    init(mean m: Double, variance v: Double) { self.m = m; self.v = v }
    var namedParameters: [(name: String, variable: Variable)] { [] }
    func forward(_ x: Variable, _ c: Variable, context: ForwardContext) -> Variable {
        let b = x.shape[0], per = x.value.count / b
        let out = Tensor(uninitialized: x.shape)
        for n in 0..<b {
            let g = 2 * Double(c.value.scalars[n])
            let a2 = 1 / (1 + exp(g)), a = a2.squareRoot(), s = (1 - a2).squareRoot()
            for i in 0..<per {
                let z = Double(x.value.pointer[n * per + i])
                let xHat = m + a * v * (z - a * m) / (a2 * v + s * s)
                out.pointer[n * per + i] = Float((z - a * xHat) / s)
            }
        }
        return Variable(out)
    }
}

final class VDMDenoiserTests: XCTestCase {
    /// With the exact noise predictor, VDMDenoiser's mean is the exact posterior mean, and sampling
    /// through it reproduces the target N(0.3, 0.5).
    func testExactPredictorSamplesTheTarget() {
        let schedule = LearnedSchedule(hidden: 8, seed: 1)
        let vdm = VDM(schedule: schedule, backbone: GaussianEpsilonBackbone(mean: 0.3, variance: 0.5))
        let d = VDMDenoiser(vdm)
        let exact = GaussianDenoiser(mean: [0.3], covariance: Matrix64(rows: 1, cols: 1, values: [0.5]), schedule: schedule)
        let xt = Tensor(shape: [3, 1], values: [-0.4, 0.1, 1.3])
        XCTAssertLessThan(d(xt, t: 0.6).mean.maxAbsDifference(exact(xt, t: 0.6).mean), 1e-4)
        let sampler = XEABSampler(denoiser: d, order: 2, settings: SamplingSettings(steps: 64, seed: 2))
        let n = 4000
        let x = sampler(sampler.initial(shape: [n, 1], mean: 0.3, variance: 0.5)).scalars.map(Double.init)
        let m = x.reduce(0, +) / Double(n)
        let v = x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(n - 1)
        let (alpha0, sigma0) = schedule(0)
        XCTAssertEqual(m, alpha0 * 0.3, accuracy: 5 * (0.5 / Double(n)).squareRoot())
        XCTAssertEqual(v, alpha0 * alpha0 * 0.5 + sigma0 * sigma0, accuracy: 5 * 0.5 * (2 / Double(n)).squareRoot())
    }
}
