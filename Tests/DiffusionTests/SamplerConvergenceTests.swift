import XCTest
import Tensor
@testable import Diffusion

/// Deterministic samplers driven by the exact Gaussian denoiser are affine maps of their initial
/// noise, so their output mean and covariance are computed exactly (GaussianTarget.exactOutput)
/// and compared with the exact marginal at t = 0. The observed order is log2 of the error ratio
/// between 128 and 256 steps, on the VE schedule (log(sigma/alpha), the variable of the exponential
/// integrators, is then evenly stepped; the asymptotic regime is reached by 128 steps for all).
/// The orders are those of azula 0.11's algorithms (REAB with sigma_s in its final scale, issue 4).
final class SamplerConvergenceTests: XCTestCase {
    let denoiser = GaussianTarget.denoiser(VESchedule())

    func observedOrder(_ make: (SamplingSettings) -> any Sampler) -> (order: Double, error: Double) {
        let coarse = GaussianTarget.error(make(SamplingSettings(steps: 128)))
        let fine = GaussianTarget.error(make(SamplingSettings(steps: 256)))
        return (log2(coarse / fine), fine)
    }

    func assertOrder(_ name: String, _ expected: Double, _ make: (SamplingSettings) -> any Sampler,
                     file: StaticString = #filePath, line: UInt = #line) {
        let (order, error) = observedOrder(make)
        print(String(format: "order of %@: %.2f (error %.2e at 256 steps)", name, order, error))
        XCTAssertGreaterThan(order, expected - 0.25, "\(name)", file: file, line: line)
        XCTAssertLessThan(order, expected + 1, "\(name)", file: file, line: line)
        XCTAssertLessThan(error, 0.1, "\(name)", file: file, line: line)
    }

    func testFirstOrderSamplers() {
        let d = denoiser
        assertOrder("euler", 1) { EulerSampler(denoiser: d, settings: $0) }
        assertOrder("ddim", 1) { DDIMSampler(denoiser: d, eta: 0, settings: $0) }
    }

    func testHeunIsSecondOrder() {
        let d = denoiser
        assertOrder("heun", 2) { HeunSampler(denoiser: d, settings: $0) }
    }

    func testAdamsBashforthFamilyConvergesAtItsOrder() {
        let d = denoiser
        for order in 2...3 {
            assertOrder("zab\(order)", Double(order)) { ZABSampler(denoiser: d, order: order, settings: $0) }
            assertOrder("vab\(order)", Double(order)) { VABSampler(denoiser: d, order: order, settings: $0) }
            assertOrder("zeab\(order)", Double(order)) { ZEABSampler(denoiser: d, order: order, settings: $0) }
            assertOrder("xeab\(order)", Double(order)) { XEABSampler(denoiser: d, order: order, settings: $0) }
            assertOrder("reab\(order)", Double(order)) { REABSampler(denoiser: d, order: order, settings: $0) }
        }
    }

    /// At order 1 the multistep samplers reduce to known one-step methods (not REAB: its first-order
    /// step freezes f = ((1 - a) x / alpha - mu) / b, not the denoised mean).
    func testOrderOneReducesToEulerAndDDIM() {
        let d = GaussianTarget.denoiser(VPSchedule())
        let x = Tensor(shape: [3, 4], values: (0..<12).map { Float($0) / 6 - 1 })
        let settings = SamplingSettings(steps: 10)
        let euler = EulerSampler(denoiser: d, settings: settings)(x)
        for sampler in [ZABSampler(denoiser: d, order: 1, settings: settings) as any Sampler,
                        VABSampler(denoiser: d, order: 1, settings: settings),
                        ZEABSampler(denoiser: d, order: 1, settings: settings),
                        XEABSampler(denoiser: d, order: 1, settings: settings),
                        DDIMSampler(denoiser: d, eta: 0, settings: settings)] {
            XCTAssertLessThan(sampler(x).maxAbsDifference(euler), 1e-4, "\(type(of: sampler))")
        }
    }

    func testAdamsBashforthCoefficients() {
        // Classical AB2 and AB3 on a uniform grid of step h: h (3/2, -1/2) and h (5, -16, 23) / 12.
        let h = 0.1
        let ab2 = LagrangeCoefficients.integrals(nodes: [0, h], from: h, to: 2 * h) { _ in 1 }
        XCTAssertEqual(ab2[0], -h / 2, accuracy: 1e-14)
        XCTAssertEqual(ab2[1], 3 * h / 2, accuracy: 1e-14)
        let ab3 = LagrangeCoefficients.integrals(nodes: [0, h, 2 * h], from: 2 * h, to: 3 * h) { _ in 1 }
        for (c, e) in zip(ab3, [5.0, -16, 23]) { XCTAssertEqual(c, e * h / 12, accuracy: 1e-14) }
        // Exponential weight, one node: int_a^b e^u du.
        let e1 = LagrangeCoefficients.integrals(nodes: [-2], from: -2, to: -5) { exp($0) }
        XCTAssertEqual(e1[0], exp(-5) - exp(-2), accuracy: 1e-15)
        // Two nodes: int e^u (u - u0)/(u1 - u0) du in closed form.
        let e2 = LagrangeCoefficients.integrals(nodes: [0, 1], from: 1, to: 2) { exp($0) }
        XCTAssertEqual(e2[1], exp(2.0), accuracy: 1e-12)          // int_1^2 e^u u du = e^2
        XCTAssertEqual(e2[0], exp(2.0) - exp(1.0) - exp(2.0), accuracy: 1e-12)
    }
}
