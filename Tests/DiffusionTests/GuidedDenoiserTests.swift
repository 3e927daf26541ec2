import Autograd
import NN
import Tensor
import XCTest
@testable import Diffusion

/// A toy class-conditional backbone: F(x, c, y) = x + (y + 1) for label y (K = 3 means no
/// label, so the unconditional output is x + 4), with one parameter so it is a Module.
final class LabelShiftBackbone: Backbone {
    let unused = Variable(Tensor(shape: [1], values: [0]), requiresGrad: true)
    var namedParameters: [(name: String, variable: Variable)] { [("unused", unused)] }
    func forward(_ x: Variable, _ c: Variable, context: ForwardContext) -> Variable {
        let b = x.shape[0], per = x.value.count / b
        let labels = context.labels ?? Array(repeating: 3, count: b)
        let shift = Tensor(shape: x.shape, values: (0..<(b * per)).map { Float(labels[$0 / per] + 1) })
        return x + Variable(shift)
    }
}

final class GuidedDenoiserTests: XCTestCase {
    /// The simple denoiser's mean is F(c_in x_t, c_time): cond = c_in x_t + y + 1, uncond = c_in x_t + 4.
    func testGuidedMeanIsUncondPlusWTimesTheDifference() {
        let schedule = VPSchedule()
        let base = SimpleDenoiser(backbone: LabelShiftBackbone(), schedule: schedule)
        let xt = Tensor(shape: [2, 3], values: [0.5, -1, 2, 0, 1, -0.25])
        let t = 0.3
        let plain = base(xt, t: t) as! GaussianPosterior
        for w in [0.0, 1.0, 2.0, -0.5, 7.5] {
            let guided = GuidedDenoiser(base: base, labels: [0, 2], noLabel: 3, guidance: w)(xt, t: t) as! GaussianPosterior
            for i in 0..<6 {
                let y = [0, 2][i / 3]
                let uncond = Double(plain.mean.scalars[i])   // no labels: the "no label" row
                let cond = uncond - 4 + Double(y + 1)
                XCTAssertEqual(Double(guided.mean.scalars[i]), uncond + w * (cond - uncond), accuracy: 1e-5, "w \(w), element \(i)")
            }
            XCTAssertEqual(guided.variance.scalars, plain.variance.scalars, "the base denoiser's variance")
        }
        // w = 0 is the unconditional model, w = 1 the conditional one.
        let zero = GuidedDenoiser(base: base, labels: [0, 2], noLabel: 3, guidance: 0)(xt, t: t).mean
        XCTAssertEqual(zero.scalars, plain.mean.scalars)
        let one = GuidedDenoiser(base: base, labels: [0, 2], noLabel: 3, guidance: 1)(xt, t: t).mean
        let conditional = base.posterior(xt, t: t, context: ForwardContext(training: false, labels: [0, 2])).mean
        XCTAssertEqual(one.scalars, conditional.scalars)
    }

    func testEverySamplerRunsThroughTheGuidedDenoiser() throws {
        let base = SimpleDenoiser(backbone: LabelShiftBackbone(), schedule: VPSchedule())
        let options = SamplerOptions(settings: SamplingSettings(steps: 4, seed: 1))
        for kind in SamplerKind.allCases {
            let guided = try makeSampler(name: kind.rawValue, denoiser: GuidedDenoiser(base: base, labels: [0, 1], noLabel: 3, guidance: 2),
                                         options: options)
            let plain = try makeSampler(name: kind.rawValue, denoiser: base, options: options)
            let x = plain.initial(shape: [2, 3])
            let a = guided(x), b = plain(x)
            XCTAssertTrue(a.isFinite, kind.rawValue)
            XCTAssertGreaterThan(a.maxAbsDifference(b), 1e-3, "\(kind.rawValue): guidance changes the samples")
        }
    }
}
