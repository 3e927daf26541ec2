import Autograd
@testable import NN
import Tensor
import XCTest

final class ParameterSetTests: XCTestCase {
    func testValuesAndGradsAreViewsIntoFlatBuffers() {
        let m = TwoParameterModule(a: [1, 2, 3], b: [4, 5, 6, 7], bShape: [2, 2])
        let set = ParameterSet(m)
        XCTAssertEqual(set.count, 7)
        XCTAssertEqual(set.names, ["a", "inner.b"])
        XCTAssertEqual(set.shapes, [[3], [2, 2]])
        XCTAssertEqual(set.ranges.map(\.offset), [0, 3])
        XCTAssertEqual(set.ranges.map(\.count), [3, 4])
        XCTAssertEqual(set.values.scalars, [1, 2, 3, 4, 5, 6, 7])
        XCTAssertEqual(m.b.shape, [2, 2])

        // Writing the flat buffer is seen by the module and vice versa.
        set.values.pointer[4] = 50
        XCTAssertEqual(m.b.value.scalars, [4, 50, 6, 7])
        m.a.value.pointer[0] = -1
        XCTAssertEqual(set.values.pointer[0], -1)

        // Backward accumulates straight into the flat gradient buffer.
        let y = sum(m.a * m.a)
        y.backward()
        XCTAssertEqual(set.grads.scalars, [-2, 4, 6, 0, 0, 0, 0])
        sum(m.b).backward()
        XCTAssertEqual(set.grads.scalars, [-2, 4, 6, 1, 1, 1, 1])
        set.zeroGrad()
        XCTAssertEqual(set.grads.scalars, [Float](repeating: 0, count: 7))
        XCTAssertEqual(m.a.grad?.scalars, [0, 0, 0])
    }

    func testClipGradNormScalesOnlyAboveTheLimitAndReturnsThePreClipNorm() {
        let m = TwoParameterModule(a: [0, 0, 0], b: [0, 0, 0, 0], bShape: [4])
        let set = ParameterSet(m)
        set.grads.assign(Tensor(shape: [7], values: [3, 0, 0, 4, 0, 0, 0]))
        XCTAssertEqual(set.clipGradNorm(maxNorm: 10), 5, accuracy: 1e-9)
        XCTAssertEqual(set.grads.scalars, [3, 0, 0, 4, 0, 0, 0])
        XCTAssertEqual(set.clipGradNorm(maxNorm: 1), 5, accuracy: 1e-9)
        let clipped = set.grads.scalars
        XCTAssertEqual(clipped[0], Float(3 / (5 + 1e-6)), accuracy: 1e-6)
        XCTAssertEqual(clipped[3], Float(4 / (5 + 1e-6)), accuracy: 1e-6)
        XCTAssertEqual(set.gradNorm(), 1, accuracy: 1e-5)
    }

    func testInitialiserIsAPureFunctionOfTheSeedWithOneStreamPerParameter() {
        var i1 = ParameterInitialiser(seed: 42), i2 = ParameterInitialiser(seed: 42), i3 = ParameterInitialiser(seed: 43)
        let a1 = i1.uniform([100], bound: 0.5), b1 = i1.uniform([100], bound: 0.5)
        let a2 = i2.uniform([100], bound: 0.5)
        let a3 = i3.uniform([100], bound: 0.5)
        XCTAssertEqual(a1.value.scalars, a2.value.scalars)
        XCTAssertNotEqual(a1.value.scalars, b1.value.scalars)
        XCTAssertNotEqual(a1.value.scalars, a3.value.scalars)
        XCTAssertTrue(a1.value.scalars.allSatisfy { abs($0) < 0.5 })
        XCTAssertGreaterThan(a1.value.scalars.map { abs($0) }.max()!, 0.4)
        XCTAssertEqual(ParameterInitialiser.defaultBound(fanIn: 16), 0.25)
    }
}

extension ParameterSetTests {
    func testInitialiserDrawsWhatFillUniformDraws() {
        var initialiser = ParameterInitialiser(seed: 5)
        _ = initialiser.uniform([3], bound: 1)
        let v = initialiser.uniform([2, 7], bound: 0.25)   // the second parameter: sample 1
        var expected = [Float](repeating: 0, count: 14)
        expected.withUnsafeMutableBufferPointer {
            CounterRNG(seed: 5).fillUniform($0, purpose: .initialisation, stream: 0, step: 0, sample: 1)
        }
        XCTAssertEqual(v.value.scalars, expected.map { 0.25 * (2 * $0 - 1) })
    }
}
