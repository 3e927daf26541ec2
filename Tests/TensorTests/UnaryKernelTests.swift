import XCTest
import Foundation
@testable import Tensor

final class UnaryKernelTests: XCTestCase {
    func testValuesAgainstFoundation() {
        let x = Tensor(shape: [6], values: [-30, -2, -0.5, 0.25, 3, 40])
        let xs = x.scalars.map(Double.init)
        func check<F: PointwiseFunction>(_ f: F.Type, _ ref: (Double) -> Double, _ name: String) {
            let y = x.pointwise(F.self)
            for (i, v) in xs.enumerated() {
                XCTAssertEqual(Double(y.pointer[i]), ref(v), accuracy: 1e-5 * Swift.max(1, Swift.abs(ref(v))), "\(name)(\(v))")
            }
        }
        check(SquareFunction.self, { $0 * $0 }, "square")
        check(ExpFunction.self, { Foundation.exp(Swift.min($0, 40)) }, "exp")
        check(SigmoidFunction.self, { 1 / (1 + Foundation.exp(-$0)) }, "sigmoid")
        check(SoftplusFunction.self, { Foundation.log(1 + Foundation.exp($0)) }, "softplus")
        check(SinFunction.self, Foundation.sin, "sin")
        check(CosFunction.self, Foundation.cos, "cos")
        check(SiLUFunction.self, { $0 / (1 + Foundation.exp(-$0)) }, "silu")
        XCTAssertTrue(x.pointwise(SigmoidFunction.self).isFinite)
        XCTAssertTrue(Tensor(shape: [2], values: [-100, 100]).pointwise(SoftplusFunction.self).isFinite)
    }
}
