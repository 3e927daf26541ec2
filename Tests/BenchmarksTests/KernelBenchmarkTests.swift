import Tensor
import XCTest
@testable import Benchmarks

/// The benchmark runs end to end on a tiny geometry (no timing is asserted).
final class KernelBenchmarkTests: XCTestCase {
    func testMeasureReportsEveryRate() {
        let g = Conv2dGeometry(input: [2, 3, 5, 5], weight: [4, 3, 3, 3], stride: 1, padding: 1)
        let m = KernelBenchmark(options: .init(rounds: 1, minSeconds: 0)).measure(g, layers: ["probe"])
        for rate in [m.forwardGflops, m.backwardGflops, m.sgemmForwardGflops, m.sgemmBackwardGflops] {
            XCTAssertTrue(rate.isFinite && rate > 0)
        }
        let row = KernelBenchmark.row(m)
        XCTAssertTrue(row.hasPrefix("2x3x5x5 3x3 s1"), row)
        XCTAssertTrue(row.hasSuffix("probe"), row)
    }
}
