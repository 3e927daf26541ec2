import XCTest
import Tensor
@testable import Diffusion

final class ScheduleTests: XCTestCase {
    /// Values at t = 0.3 computed by hand (Python, float64) from the formulas of the issue.
    func testFormulasAgainstHandValues() {
        func check(_ s: any NoiseSchedule, _ alpha: Double, _ sigma: Double, file: StaticString = #filePath, line: UInt = #line) {
            let (a, b) = s(0.3)
            XCTAssertEqual(a, alpha, accuracy: 1e-12, "\(s)", file: file, line: line)
            XCTAssertEqual(b, sigma, accuracy: 1e-12, "\(s)", file: file, line: line)
        }
        check(VESchedule(), 1, 0.06309573444801934)
        check(VPSchedule(), 0.5370317963702528, 0.8435625938170441)
        check(CosineSchedule(), 0.8911426812636396, 0.4537242793043494)
        check(RectifiedSchedule(), 0.7003, 0.3007)
        check(DecaySchedule(), 0.4463178293262723, 0.5546821706737276)
        check(ElucidatedSchedule(), 1, 0.3182832888392961)
    }

    func testEndpoints() {
        XCTAssertEqual(VESchedule()(0).sigma, 1e-3, accuracy: 1e-15)
        XCTAssertEqual(VESchedule()(1).sigma, 1e3, accuracy: 1e-9)
        XCTAssertEqual(VPSchedule()(1).alpha, 1e-3, accuracy: 1e-15)
        XCTAssertEqual(VPSchedule()(0).sigma, 1e-3, accuracy: 1e-15)
        XCTAssertEqual(ElucidatedSchedule()(0).sigma, 0.002, accuracy: 1e-15)
        XCTAssertEqual(ElucidatedSchedule()(1).sigma, 80, accuracy: 1e-10)
        // Decay with gamma -> 1 approaches the rectified schedule.
        let d = DecaySchedule(gamma: 1 - 1e-7)(0.4), r = RectifiedSchedule()(0.4)
        XCTAssertEqual(d.alpha, r.alpha, accuracy: 1e-6)
    }

    /// The continuous DDPM schedule tracks the discrete prod(1 - beta_j) of Ho et al.
    func testDDPMScheduleMatchesDiscreteAlphaBar() {
        let discrete = DiscreteDDPM()
        let s = DDPMSchedule()
        for i in [1, 10, 100, 500, 1000] {
            let t = Double(i - 1) / 999
            let alphaBar = discrete.alphaBar[i - 1]
            XCTAssertEqual(s(t).alpha, alphaBar.squareRoot(), accuracy: 1e-7 * alphaBar.squareRoot(), "i = \(i)")
            let (a, b) = s(t)
            XCTAssertEqual(a * a + b * b, 1, accuracy: 1e-12)
        }
    }

    func testSignalToNoiseDecreasesAndInverseRoundTrips() {
        let schedules: [any NoiseSchedule] = [VESchedule(), VPSchedule(), CosineSchedule(), RectifiedSchedule(),
                                              DecaySchedule(), ElucidatedSchedule(), DDPMSchedule()]
        for s in schedules {
            var previous = -Double.infinity
            for i in 0...50 {
                let t = Double(i) / 50
                let r = s.logRatio(t)
                XCTAssertGreaterThan(r, previous, "\(s) at t = \(t)")
                previous = r
                XCTAssertEqual(s.time(forLogRatio: r), t, accuracy: 1e-9, "\(s)")
            }
        }
    }

    func testTensorForm() {
        let t = Tensor(shape: [3], values: [0, 0.5, 1])
        let (alpha, sigma) = VPSchedule()(t)
        for (i, ti) in [0.0, 0.5, 1].enumerated() {
            XCTAssertEqual(Double(alpha.scalars[i]), VPSchedule()(ti).alpha, accuracy: 1e-7)
            XCTAssertEqual(Double(sigma.scalars[i]), VPSchedule()(ti).sigma, accuracy: 1e-7)
        }
    }

    func testFactory() throws {
        let s = try makeSchedule(name: "VE", parameters: ["sigmaMax": 80])
        XCTAssertEqual(s(1).sigma, 80, accuracy: 1e-10)
        XCTAssertTrue(try makeSchedule(name: "ddpm") is DDPMSchedule)
        XCTAssertThrowsError(try makeSchedule(name: "linear")) { error in
            XCTAssertTrue("\(error)".contains("unknown schedule 'linear'"))
        }
        XCTAssertThrowsError(try makeSchedule(name: "vp", parameters: ["rho": 7])) { error in
            XCTAssertTrue("\(error)".contains("no parameter 'rho'"))
        }
    }
}
