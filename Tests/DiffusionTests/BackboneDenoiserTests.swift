import XCTest
import Autograd
import NN
import Tensor
@testable import Diffusion

/// F(x, c) = scale * x + shift * c: one trainable scale and shift, enough to check losses and gradients.
final class AffineBackbone: Backbone {
    let scale = Variable(Tensor(shape: [1], values: [0.7]), requiresGrad: true, name: "scale")
    let shift = Variable(Tensor(shape: [1], values: [0.1]), requiresGrad: true, name: "shift")
    var namedParameters: [(name: String, variable: Variable)] { [("scale", scale), ("shift", shift)] }
    func forward(_ x: Variable, _ c: Variable, context: ForwardContext) -> Variable {
        x * scale + reshape(c, [c.shape[0], 1]) * shift
    }
}

final class BackboneDenoiserTests: XCTestCase {
    func testKarrasCoefficientsAreAzulas() {
        let k = KarrasDenoiser(backbone: AffineBackbone(), schedule: VPSchedule()).preconditioning(alpha: 0.6, sigma: 0.8)
        XCTAssertEqual(k.cIn, 1, accuracy: 1e-15)
        XCTAssertEqual(k.cOut, 0.8, accuracy: 1e-15)
        XCTAssertEqual(k.cSkip, 0.6, accuracy: 1e-15)
        XCTAssertEqual(k.cTime, log(0.8 / 0.6), accuracy: 1e-15)
        let s = SimpleDenoiser(backbone: AffineBackbone(), schedule: VESchedule()).preconditioning(alpha: 1, sigma: 3)
        XCTAssertEqual(s.cIn, 1 / 10.0.squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(s.cOut, 1)
        XCTAssertEqual(s.cSkip, 0)
    }

    /// The library loss equals mean_{b,i} lambda_b (mean_bi - x_bi)^2 computed from the definitions,
    /// for every parametrisation; Simple clamps lambda at 1e4; eps and v losses are plain MSEs.
    func testLossesAgainstDefinition() {
        let schedule = VPSchedule()
        let x = Tensor(shape: [3, 2], values: [0.5, -1, 0.2, 0.3, -0.7, 1.1])
        let z = Tensor(shape: [3, 2], values: [1.2, -0.4, 0.3, -1.5, 0.8, 0.1])
        let times = [0.0, 0.45, 0.9]
        let backbone = AffineBackbone()
        let denoisers: [any BackboneDenoiser] = [
            SimpleDenoiser(backbone: backbone, schedule: schedule), KarrasDenoiser(backbone: backbone, schedule: schedule),
            EpsilonDenoiser(backbone: backbone, schedule: schedule), VelocityDenoiser(backbone: backbone, schedule: schedule),
        ]
        for d in denoisers {
            let loss = Double(d.loss(x, times: times, noise: z, context: .inference).value.item)
            var expected = 0.0
            for b in 0..<3 {
                let (alpha, sigma) = schedule(times[b])
                let c = d.preconditioning(alpha: alpha, sigma: sigma)
                let lambda = d.lossWeight(alpha: alpha, sigma: sigma)
                for i in 0..<2 {
                    let xv = Double(x.scalars[2 * b + i]), zv = Double(z.scalars[2 * b + i])
                    let xt = alpha * xv + sigma * zv
                    let f = 0.7 * c.cIn * xt + 0.1 * c.cTime
                    let m = c.cSkip * xt + c.cOut * f
                    expected += lambda * (m - xv) * (m - xv) / 6
                }
            }
            XCTAssertEqual(loss, expected, accuracy: 1e-4 * max(1, abs(expected)), "\(type(of: d))")
        }
        // Weights: Simple clamps, Karras/velocity use (alpha^2 + sigma^2) / sigma^2, epsilon alpha^2 / sigma^2.
        let (a0, s0) = schedule(0)
        XCTAssertEqual(SimpleDenoiser(backbone: backbone, schedule: schedule).lossWeight(alpha: a0, sigma: s0), 1e4)
        XCTAssertEqual(KarrasDenoiser(backbone: backbone, schedule: schedule).lossWeight(alpha: 0.6, sigma: 0.8), 1 / 0.64, accuracy: 1e-12)
        XCTAssertEqual(EpsilonDenoiser(backbone: backbone, schedule: schedule).lossWeight(alpha: 0.6, sigma: 0.8), 0.36 / 0.64, accuracy: 1e-12)
    }

    /// Gradients reach the backbone's parameters and match central differences of the loss.
    func testLossGradientMatchesFiniteDifferences() {
        let backbone = AffineBackbone()
        let d = KarrasDenoiser(backbone: backbone, schedule: CosineSchedule())
        let x = Tensor(shape: [4, 3], values: (0..<12).map { Float($0) / 6 - 1 })
        let z = CounterRNG(seed: 2).normal([4, 3], purpose: .noise, step: 0, firstSample: 0)
        let times = [0.1, 0.3, 0.6, 0.95]
        let loss = d.loss(x, times: times, noise: z, context: .inference)
        loss.backward()
        for p in [backbone.scale, backbone.shift] {
            let g = Double(p.grad!.item)
            let h: Float = 1e-2
            let v = p.value.item
            p.value.fill(v + h)
            let up = Double(withNoGrad { d.loss(x, times: times, noise: z, context: .inference) }.value.item)
            p.value.fill(v - h)
            let down = Double(withNoGrad { d.loss(x, times: times, noise: z, context: .inference) }.value.item)
            p.value.fill(v)
            XCTAssertEqual(g, (up - down) / Double(2 * h), accuracy: 1e-3 * max(1, abs(g)), p.name ?? "")
        }
    }

    /// A tiny MLP trained with the Karras loss on a 2-D Gaussian lowers its held-out loss.
    func testTrainingLowersLoss() {
        let mlp = MLP(MLPConfig(features: 2, hiddenWidths: [32, 32], posDim: 8, embDim: 16), seed: 1)
        let params = ParameterSet(named: mlp.namedParameters)
        let adam = Adam(params, lr: 3e-3)
        let d = KarrasDenoiser(backbone: mlp, schedule: VPSchedule())
        let rng = CounterRNG(seed: 9)
        func data(_ n: Int, _ step: UInt32) -> Tensor {
            let e = rng.normal([n, 2], purpose: .misc, step: step, firstSample: 0)
            return Tensor(shape: [n, 2], values: (0..<n).flatMap { b -> [Float] in
                let u = e.scalars[2 * b], v = e.scalars[2 * b + 1]
                return [1 + 0.5 * u, -0.5 + 0.3 * u + 0.2 * v]
            })
        }
        let held = data(256, 10_000)
        func heldOut() -> Float {
            withNoGrad { d.loss(held, sampling: .stratified, rng: rng, step: 99_999, firstSample: 0, globalBatchSize: 256, context: .inference) }.value.item
        }
        let before = heldOut()
        for step in 0..<150 {
            params.zeroGrad()
            let loss = d.loss(data(64, UInt32(step)), sampling: .uniform, rng: rng, step: UInt32(step), firstSample: 0,
                              globalBatchSize: 64, context: ForwardContext(training: true))
            loss.backward()
            adam.step()
        }
        let after = heldOut()
        XCTAssertLessThan(after, 0.7 * before, "held-out loss \(before) -> \(after)")
    }
}

final class NoiseLevelSamplingTests: XCTestCase {
    let rng = CounterRNG(seed: 21)

    func testDrawsAreRankInvariant() {
        for sampling in [NoiseLevelSampling.uniform, .edm, .stratified, .antithetic] {
            let all = sampling.draw(count: 16, schedule: VESchedule(), rng: rng, step: 4, firstSample: 0, globalBatchSize: 16)
            let a = sampling.draw(count: 5, schedule: VESchedule(), rng: rng, step: 4, firstSample: 0, globalBatchSize: 16)
            let b = sampling.draw(count: 11, schedule: VESchedule(), rng: rng, step: 4, firstSample: 5, globalBatchSize: 16)
            XCTAssertEqual(all, a + b, "\(sampling)")
            XCTAssertTrue(all.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(sampling)")
            XCTAssertNotEqual(all, sampling.draw(count: 16, schedule: VESchedule(), rng: rng, step: 5, firstSample: 0, globalBatchSize: 16))
        }
    }

    func testStratifiedAndAntithetic() {
        let g = 10
        let t = NoiseLevelSampling.stratified.draw(count: g, schedule: VPSchedule(), rng: rng, step: 1, firstSample: 0, globalBatchSize: g)
        XCTAssertEqual(Set(t.map { Int($0 * Double(g)) }).count, g)   // one per stratum
        let a = NoiseLevelSampling.antithetic.draw(count: 6, schedule: VPSchedule(), rng: rng, step: 1, firstSample: 0, globalBatchSize: 6)
        for j in 0..<3 { XCTAssertEqual(a[2 * j] + a[2 * j + 1], 1, accuracy: 1e-15) }
    }

    func testLogNormalMapsThroughTheSchedule() {
        let schedule = VESchedule(sigmaMin: 1e-4, sigmaMax: 1e4)
        let t = NoiseLevelSampling.edm.draw(count: 4000, schedule: schedule, rng: rng, step: 2, firstSample: 0, globalBatchSize: 4000)
        let logSigma = t.map { schedule.logRatio($0) }
        let m = logSigma.reduce(0, +) / 4000
        let s = (logSigma.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 3999).squareRoot()
        XCTAssertEqual(m, -1.2, accuracy: 5 * 1.2 / 4000.0.squareRoot())
        XCTAssertEqual(s, 1.2, accuracy: 0.05)
    }
}

final class BackboneSamplingTests: XCTestCase {
    /// Per-sample losses average to the batch loss, and split batches give the same per-sample values.
    func testPerSampleLossesAreBatchInvariant() {
        let d = SimpleDenoiser(backbone: AffineBackbone(), schedule: VPSchedule())
        let rng = CounterRNG(seed: 31)
        let x = Tensor(shape: [4, 2], values: [0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8])
        let (all, times) = d.losses(x, sampling: .stratified, rng: rng, step: 3, firstSample: 0, globalBatchSize: 4, context: .inference)
        let (head, _) = d.losses(x.slice(0..<1).copy(), sampling: .stratified, rng: rng, step: 3, firstSample: 0, globalBatchSize: 4, context: .inference)
        let (tail, _) = d.losses(x.slice(1..<4).copy(), sampling: .stratified, rng: rng, step: 3, firstSample: 1, globalBatchSize: 4, context: .inference)
        XCTAssertEqual(all.value.scalars, head.value.scalars + tail.value.scalars)
        XCTAssertEqual(times.count, 4)
        let batch = d.loss(x, sampling: .stratified, rng: rng, step: 3, firstSample: 0, globalBatchSize: 4, context: .inference)
        XCTAssertEqual(Double(batch.value.item), all.value.scalars.map(Double.init).reduce(0, +) / 4, accuracy: 1e-6)
    }

    /// Samplers drive a backbone denoiser forward-only: finite output and no graph recorded.
    func testSamplersRunBackboneDenoisersWithoutGraph() throws {
        let mlp = MLP(MLPConfig(features: 3, hiddenWidths: [8], posDim: 4, embDim: 8), seed: 2)
        for kind in ["karras", "simple", "epsilon", "velocity"] {
            let d = try makeDenoiser(name: kind, backbone: mlp, schedule: CosineSchedule())
            for name in ["heun", "zeab", "ddpm"] {
                let s = try makeSampler(name: name, denoiser: d, options: SamplerOptions(settings: SamplingSettings(steps: 5)))
                let out = s(s.initial(shape: [2, 3]))
                XCTAssertTrue(out.isFinite, "\(kind) \(name)")
                XCTAssertEqual(out.shape, [2, 3])
            }
            let posterior = d(Tensor(shape: [2, 3], repeating: 0.5), t: 0.5)
            XCTAssertTrue(posterior is GaussianPosterior)
        }
        let d = KarrasDenoiser(backbone: mlp, schedule: CosineSchedule())
        let m = d.mean(Tensor(shape: [2, 3], repeating: 0.1), alpha: [0.5, 0.5], sigma: [0.8, 0.8], context: .inference)
        XCTAssertNotNil(m.creator, "training forward records the graph")
        let sampled = withNoGrad { d.mean(Tensor(shape: [2, 3], repeating: 0.1), alpha: [0.5, 0.5], sigma: [0.8, 0.8], context: .inference) }
        XCTAssertNil(sampled.creator)
    }
}
