import Autograd
@testable import NN
import Tensor
import XCTest

final class OptimizerTests: XCTestCase {
    /// One parameter p = 1 and gradients 0.5, -1, 0.25 at lr 0.1; expected values computed by
    /// hand from Algorithm 1 of Kingma & Ba (m_hat / (sqrt(v_hat) + eps)).
    private func run(_ make: (ParameterSet) -> Optimizer) -> [Float] {
        let m = TwoParameterModule(a: [1], b: [0], bShape: [1])
        let set = ParameterSet(m)
        let opt = make(set)
        var out: [Float] = []
        for g: Float in [0.5, -1, 0.25] {
            set.grads.pointer[0] = g
            opt.step()
            out.append(set.values.pointer[0])
        }
        return out
    }

    func testAdamMatchesHandComputedSteps() {
        let p = run { Adam($0, lr: 0.1) }
        for (x, e) in zip(p, [0.9, 0.9366103542, 0.9502794203]) { XCTAssertEqual(Double(x), e, accuracy: 2e-6) }
    }

    func testAdamL2WeightDecayIsAddedToTheGradient() {
        let p = run { Adam($0, lr: 0.1, weightDecay: 0.1) }
        for (x, e) in zip(p, [0.9, 0.9252635194, 0.9247305743]) { XCTAssertEqual(Double(x), e, accuracy: 2e-6) }
    }

    func testAdamWDecaysDecoupled() {
        let p = run { AdamW($0, lr: 0.1) }   // default weight decay 0.01
        for (x, e) in zip(p, [0.899, 0.9347113542, 0.9474457090]) { XCTAssertEqual(Double(x), e, accuracy: 2e-6) }
    }

    func testDefaultsArePyTorchs() {
        let set = ParameterSet(TwoParameterModule(a: [1], b: [1], bShape: [1]))
        let adam = Adam(set), adamW = AdamW(set)
        XCTAssertEqual(adam.lr, 1e-3)
        XCTAssertEqual(adam.betas.0, 0.9)
        XCTAssertEqual(adam.betas.1, 0.999)
        XCTAssertEqual(adam.eps, 1e-8)
        XCTAssertEqual(adam.weightDecay, 0)
        XCTAssertEqual(adamW.weightDecay, 0.01)
        XCTAssertTrue(adamW.decoupledWeightDecay)
        XCTAssertFalse(adam.decoupledWeightDecay)
    }

    func testStateRoundTripContinuesIdentically() throws {
        let m1 = TwoParameterModule(a: [1, -2], b: [3], bShape: [1])
        let s1 = ParameterSet(m1)
        let o1 = Adam(s1, lr: 0.05)
        s1.grads.assign(Tensor(shape: [3], values: [0.3, -0.2, 0.1]))
        o1.step()
        XCTAssertEqual(o1.state.step, 1)

        let m2 = TwoParameterModule(a: [0, 0], b: [0], bShape: [1])
        let s2 = ParameterSet(m2)
        s2.values.assign(s1.values)
        let o2 = Adam(s2, lr: 0.05)
        try o2.restore(o1.state)
        for g in [[Float](arrayLiteral: 1, 2, 3), [-1, 0.5, 0]] {
            s1.grads.assign(Tensor(shape: [3], values: g)); o1.step()
            s2.grads.assign(Tensor(shape: [3], values: g)); o2.step()
        }
        XCTAssertEqual(s1.values.scalars, s2.values.scalars)
        XCTAssertEqual(o2.state.step, 3)

        let wrong = AdamState(step: 1, m: Tensor(zeros: [2]), v: Tensor(zeros: [3]))
        XCTAssertThrowsError(try o2.restore(wrong)) { error in
            XCTAssertTrue("\(error)".contains("2"), "\(error)")
        }
    }

    func testStepUsesGivenLearningRate() {
        let set = ParameterSet(TwoParameterModule(a: [1], b: [1], bShape: [1]))
        let opt = Adam(set)
        set.grads.fill(1)
        opt.step(lr: 0.5)
        XCTAssertEqual(set.values.pointer[0], 0.5, accuracy: 1e-6)   // first step moves by lr * sign(g)
    }
}
