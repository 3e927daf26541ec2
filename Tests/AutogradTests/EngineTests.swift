import XCTest
import Tensor
@testable import Autograd

final class EngineTests: XCTestCase {
    func testGradientAccumulatesOverTwoUses() {
        let x = Variable(Tensor(shape: [3], values: [1, 2, 3]), requiresGrad: true)
        let y = sum(x * x + x)       // dy/dx = 2x + 1
        y.backward()
        XCTAssertEqual(x.grad?.scalars, [3, 5, 7])
        sum(x).backward()            // accumulates
        XCTAssertEqual(x.grad?.scalars, [4, 6, 8])
    }

    func testDiamondGraph() {
        let x = Variable(Tensor(shape: [2], values: [2, -1]), requiresGrad: true)
        let a = x * x                // x^2
        let b = a + x                // x^2 + x
        let c = a * b                // x^4 + x^3
        sum(c).backward()            // 4x^3 + 3x^2
        XCTAssertEqual(x.grad?.scalars, [44, -1])
        XCTAssertNil(c.creator, "graph must be released after backward")
    }

    func testNoGradRecordsNothing() {
        let x = Variable(Tensor(shape: [2], values: [1, 2]), requiresGrad: true)
        let y = withNoGrad { x * x }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertNil(y.creator)
        XCTAssertTrue((x * x).requiresGrad)
    }

    func testLeafReadyHookFiresOncePerLeafAfterItsLastUse() {
        let w1 = Variable(Tensor(shape: [2], values: [1, 2]), requiresGrad: true, name: "w1")
        let w2 = Variable(Tensor(shape: [2], values: [3, 4]), requiresGrad: true, name: "w2")
        let h = w1 * w2
        let out = sum(h * w1)
        var ready: [String] = []
        out.backward(hooks: BackwardHooks(leafReady: { v in
            XCTAssertNotNil(v.grad)
            ready.append(v.name!)
        }))
        XCTAssertEqual(ready.sorted(), ["w1", "w2"])
        XCTAssertEqual(w1.grad?.scalars, [6, 16])   // 2 w1 w2
    }

    func testGradientCheckDetectsAWrongGradient() {
        let good = GradientCheck.check(inputs: [Tensor(shape: [5], values: [0.1, -0.3, 0.7, 1.2, -2])]) { v in v[0] * v[0] }
        XCTAssertLessThan(good.maxRelativeError, 1e-2, "\(good)")
        // An op whose backward is deliberately wrong must be caught.
        let bad = GradientCheck.check(inputs: [Tensor(shape: [5], values: [0.1, -0.3, 0.7, 1.2, -2])]) { v in
            let x = v[0]
            return Variable(x.value.zipMap(x.value, *), op: "wrong-square", inputs: [x]) { g in [g] }
        }
        XCTAssertGreaterThan(bad.maxRelativeError, 0.1)
    }
}
