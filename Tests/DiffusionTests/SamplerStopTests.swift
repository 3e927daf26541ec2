import XCTest
import Tensor
@testable import Diffusion

/// The stop hook of `Sampler`: asked before every step, it abandons the run at once when it
/// answers true; answering false throughout gives what the plain call gives.
final class SamplerStopTests: XCTestCase {
    func testBothLoopsAskBeforeEachStepAndStopWhenTold() {
        let d = GaussianTarget.denoiser(VPSchedule())
        let settings = SamplingSettings(steps: 8, seed: 3)
        let samplers: [(String, any Sampler)] = [
            ("heun (single-step loop)", HeunSampler(denoiser: d, settings: settings)),
            ("zab (multistep loop)", ZABSampler(denoiser: d, order: 3, settings: settings)),
        ]
        for (name, sampler) in samplers {
            let x = sampler.initial(shape: [6, 4])
            var asked = 0, done = 0
            let stopped = sampler(x, firstSample: 0, progress: { i, _ in done = i }, shouldStop: {
                asked += 1
                return asked == 4
            })
            XCTAssertNil(stopped, name)
            XCTAssertEqual(asked, 4, "\(name): asked once before each step")
            XCTAssertEqual(done, 3, "\(name): no step runs after the stop")

            asked = 0
            let full = sampler(x, firstSample: 0, progress: nil, shouldStop: { asked += 1; return false })
            XCTAssertEqual(asked, 8, name)
            XCTAssertEqual(full?.scalars, sampler(x, firstSample: 0, progress: nil).scalars, name)
        }
    }
}
