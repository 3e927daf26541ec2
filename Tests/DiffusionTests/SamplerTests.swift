import XCTest
import Tensor
@testable import Diffusion

final class SamplerTests: XCTestCase {
    /// Sample mean and covariance of rows of a [N, 4] tensor.
    func moments(_ x: Tensor) -> (mean: [Double], covariance: Matrix64) {
        let n = x.shape[0], v = x.scalars.map(Double.init)
        var mean = [Double](repeating: 0, count: 4)
        for s in 0..<n { for i in 0..<4 { mean[i] += v[4 * s + i] / Double(n) } }
        var c = Matrix64(zeros: 4, 4)
        for s in 0..<n { for i in 0..<4 { for j in 0..<4 {
            c[i, j] += (v[4 * s + i] - mean[i]) * (v[4 * s + j] - mean[j]) / Double(n - 1)
        } } }
        return (mean, c)
    }

    /// Stochastic samplers match the target's mean and covariance within Monte Carlo error
    /// (about 5 standard errors of each entry for N samples) at 64+ steps.
    func testStochasticSamplersMatchTarget() {
        let schedule = VPSchedule()
        let d = GaussianTarget.denoiser(schedule)
        let n = 4000
        let settings = SamplingSettings(steps: 64, seed: 7)
        let samplers: [(String, any Sampler)] = [
            // Ancestral DDPM drops the posterior covariance at each step (an O(h) weak error,
            // about 13% of the variance at 64 uniform steps on VP): it gets 256.
            ("ddpm", DDPMSampler(denoiser: d, settings: SamplingSettings(steps: 256, seed: 7))),
            ("ddim(eta=0.5)", DDIMSampler(denoiser: d, eta: 0.5, settings: settings)),
            ("ito", ItoSampler(denoiser: d, eta: 1, settings: settings)),
            ("pc", PCSampler(denoiser: d, corrections: 1, delta: 0.1, settings: settings)),
        ]
        let target = GaussianTarget.marginal(schedule, 0)
        for (name, sampler) in samplers {
            // Start from the exact (full-covariance) marginal at t = 1.
            let xT = exactMarginalDraw(schedule, n: n)
            let (mean, cov) = moments(sampler(xT))
            for i in 0..<4 {
                let se = (target.covariance[i, i] / Double(n)).squareRoot()
                XCTAssertEqual(mean[i], target.mean[i], accuracy: 5 * se, "\(name) mean[\(i)]")
                for j in 0..<4 {
                    let seCov = ((target.covariance[i, i] * target.covariance[j, j] + target.covariance[i, j] * target.covariance[i, j]) / Double(n)).squareRoot()
                    XCTAssertEqual(cov[i, j], target.covariance[i, j], accuracy: 5 * seCov + 0.01, "\(name) cov[\(i),\(j)]")
                }
            }
        }
    }

    /// Draws of N(alpha_1 mu, alpha_1^2 Sigma + sigma_1^2 I) through the Cholesky factor.
    func exactMarginalDraw(_ schedule: any NoiseSchedule, n: Int) -> Tensor {
        let (mean, cov) = GaussianTarget.marginal(schedule, 1)
        let l = cov.cholesky()!
        let z = CounterRNG(seed: 99).normal([n, 4], purpose: .misc, step: 0, firstSample: 0).scalars.map(Double.init)
        var out = [Float](repeating: 0, count: 4 * n)
        for s in 0..<n {
            let y = l * Array(z[(4 * s)..<(4 * s + 4)])
            for i in 0..<4 { out[4 * s + i] = Float(mean[i] + y[i]) }
        }
        return Tensor(shape: [n, 4], values: out)
    }

    /// init draws N(alpha_T mean, alpha_T^2 var + sigma_T^2): exactly the formula on the sampler's
    /// own noise, and with the right moments, for VP and VE.
    func testInitMatchesItsFormula() {
        for schedule in [VPSchedule() as any NoiseSchedule, VESchedule()] {
            let sampler = EulerSampler(denoiser: GaussianTarget.denoiser(schedule), settings: SamplingSettings(seed: 3))
            let (alpha, sigma) = schedule(1)
            let x = sampler.initial(shape: [20000, 2], mean: 2, variance: 3, firstSample: 5)
            let z = CounterRNG(seed: 3).normal([20000, 2], purpose: .sampling, stream: 0, step: UInt32.max, firstSample: 5)
            let std = (alpha * alpha * 3 + sigma * sigma).squareRoot()
            for i in [0, 1, 777, 39999] {
                XCTAssertEqual(Double(x.scalars[i]), alpha * 2 + std * Double(z.scalars[i]), accuracy: 1e-5 * max(1, std))
            }
            let v = x.scalars.map(Double.init)
            let m = v.reduce(0, +) / Double(v.count)
            let variance = v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)
            XCTAssertEqual(m, alpha * 2, accuracy: 5 * std / Double(v.count).squareRoot())
            XCTAssertEqual(variance, std * std, accuracy: 5 * std * std * (2 / Double(v.count)).squareRoot())
        }
    }

    /// Sample k gets the same noise whatever batch it runs in.
    func testStochasticSamplingIsBatchInvariant() {
        let d = GaussianTarget.denoiser(VPSchedule())
        let settings = SamplingSettings(steps: 8, seed: 11)
        for sampler in [DDPMSampler(denoiser: d, settings: settings) as any Sampler,
                        ItoSampler(denoiser: d, settings: settings),
                        PCSampler(denoiser: d, corrections: 2, settings: settings)] {
            let x = sampler.initial(shape: [6, 4], firstSample: 0)
            let whole = sampler(x, firstSample: 0)
            let first = sampler(x.slice(0..<2).copy(), firstSample: 0)
            let rest = sampler(x.slice(2..<6).copy(), firstSample: 2)
            XCTAssertEqual(whole.scalars, first.scalars + rest.scalars, "\(type(of: sampler))")
            let shifted = sampler(x, firstSample: 1)
            XCTAssertNotEqual(whole.scalars, shifted.scalars)
        }
    }

    func testTimeGrids() {
        let d = GaussianTarget.denoiser(ElucidatedSchedule())
        let uniform = EulerSampler(denoiser: d, settings: SamplingSettings(steps: 5)).timesteps
        XCTAssertEqual(uniform, [1, 0.8, 0.6, 0.4, 0.2, 0].map { $0 }, accuracy: 1e-15)
        // The EDM grid of the EDM schedule is its uniform grid.
        let edm = EulerSampler(denoiser: d, settings: SamplingSettings(steps: 5, grid: .edm(rho: 7))).timesteps
        XCTAssertEqual(edm, uniform, accuracy: 1e-9)
        // On another schedule the EDM grid spaces sigma/alpha by the rho rule.
        let vp = GaussianTarget.denoiser(VPSchedule())
        let grid = EulerSampler(denoiser: vp, settings: SamplingSettings(start: 0.9, stop: 0.1, steps: 4, grid: .edm(rho: 7))).timesteps
        XCTAssertEqual(grid.first, 0.9)
        XCTAssertEqual(grid.last, 0.1)
        let r = grid.map { pow(exp(VPSchedule().logRatio($0)), 1.0 / 7) }
        for i in 1..<4 { XCTAssertEqual(r[i + 1] - r[i], r[i] - r[i - 1], accuracy: 1e-9) }
    }

    /// denoiseFinal replaces the last step by E[x | x_{t_1}].
    func testDenoiseFinal() {
        let d = GaussianTarget.denoiser(VPSchedule())
        let x = Tensor(shape: [2, 4], values: [0.1, -0.3, 1, 2, -1, 0.5, 0.2, 0])
        func check(_ full: any Sampler, _ partial: any Sampler) {
            let expected = d(partial(x, firstSample: 0, progress: nil), t: 1.0 / 6).mean
            XCTAssertLessThan(full(x, firstSample: 0, progress: nil).maxAbsDifference(expected), 1e-5, "\(type(of: full))")
        }
        let finalSettings = SamplingSettings(steps: 6, denoiseFinal: true)
        let partialSettings = SamplingSettings(start: 1, stop: 1.0 / 6, steps: 5)
        check(HeunSampler(denoiser: d, settings: finalSettings), HeunSampler(denoiser: d, settings: partialSettings))
        check(ZEABSampler(denoiser: d, settings: finalSettings), ZEABSampler(denoiser: d, settings: partialSettings))
    }

    func testFactory() throws {
        let d = GaussianTarget.denoiser(VPSchedule())
        for kind in SamplerKind.allCases {
            let s = try makeSampler(name: kind.rawValue.uppercased(), denoiser: d,
                                    options: SamplerOptions(settings: SamplingSettings(steps: 4)))
            XCTAssertEqual(s.settings.steps, 4)
            let out = s(s.initial(shape: [3, 4]))
            XCTAssertTrue(out.isFinite, kind.rawValue)
        }
        XCTAssertTrue(try makeSampler(name: "ddim", denoiser: d, options: SamplerOptions(eta: 0.3)) is DDIMSampler)
        XCTAssertEqual((try makeSampler(name: "zeab", denoiser: d, options: SamplerOptions(order: 2)) as! ZEABSampler).order, 2)
        XCTAssertThrowsError(try makeSampler(name: "dpm", denoiser: d)) { XCTAssertTrue("\($0)".contains("unknown sampler 'dpm'")) }
        XCTAssertThrowsError(try makeSampler(name: "zab", denoiser: d, options: SamplerOptions(order: 0)))
        XCTAssertThrowsError(try makeSampler(name: "pc", denoiser: d, options: SamplerOptions(delta: 2)))
    }
}

func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
