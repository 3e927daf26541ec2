import Autograd
import Foundation
@testable import NN
import Tensor
import XCTest

/// The label embedding of class-conditional UNets: lookup, gradient, and an unconditional
/// UNet left exactly as the spec has it.
final class LabelEmbeddingTests: XCTestCase {
    static let conditional: UNetConfig = {
        var c = UNetTests.tiny
        c.numClasses = 3
        return c
    }()

    func testLookupRowsAndNoLabelForNil() {
        var initialiser = ParameterInitialiser(seed: 2)
        let e = LabelEmbedding(numClasses: 3, dim: 5, initialiser: &initialiser)
        XCTAssertEqual(e.weight.shape, [4, 5])
        let w = e.weight.value.scalars
        let y = e([2, 0, 3], batch: 3).value.scalars
        XCTAssertEqual(Array(y[0..<5]), Array(w[10..<15]))
        XCTAssertEqual(Array(y[5..<10]), Array(w[0..<5]))
        XCTAssertEqual(Array(y[10..<15]), Array(w[15..<20]))
        XCTAssertEqual(e(nil, batch: 2).value.scalars, Array(w[15..<20]) + Array(w[15..<20]), "nil labels are all 'no label'")
        // Standard normal initialisation (nn.Embedding's default): not constant, unit scale.
        let big = LabelEmbedding(numClasses: 99, dim: 100, initialiser: &initialiser).weight.value.scalars
        let mean = big.reduce(0, +) / Float(big.count)
        let variance = big.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(big.count)
        XCTAssertEqual(mean, 0, accuracy: 0.05)
        XCTAssertEqual(variance, 1, accuracy: 0.05)
    }

    func testGradientSumsTheRowsOfEachLabel() {
        var initialiser = ParameterInitialiser(seed: 2)
        let e = LabelEmbedding(numClasses: 2, dim: 3, initialiser: &initialiser)
        let g = Tensor(shape: [3, 3], values: [1, 2, 3, 10, 20, 30, 100, 200, 300])
        e([1, 2, 1], batch: 3).backward(seed: g)
        XCTAssertEqual(e.weight.grad!.scalars, [0, 0, 0, 101, 202, 303, 10, 20, 30])
    }

    func testUNetLabelEmbeddingGradientMatchesFiniteDifferences() {
        let (model, set) = UNetTests.randomised(Self.conditional)
        let x = testNormal([3, 2, 4, 4], seed: 5), c = Variable(Tensor(shape: [3], values: [-1, 0.5, 1.5]))
        let context = ForwardContext(training: false, labels: [0, 3, 2])
        let r = set.ranges[set.index(of: "label_embedding.weight")!]
        // Rows 0, 2 and 3 are used, row 1 is not (its gradient is zero, also numerically).
        let indices = Array(r.offset..<(r.offset + r.count))
        let e = parameterGradientError(set, indices: indices) { model.forward(Variable(x), c, context: context) }
        XCTAssertLessThan(e.relative, 2e-2, e.worst)
        let grad = set.grads.scalars[r.offset..<(r.offset + r.count)]
        let dim = Self.conditional.embDim
        XCTAssertTrue(grad[(r.offset + dim)..<(r.offset + 2 * dim)].allSatisfy { $0 == 0 }, "unused row 1 has no gradient")
        XCTAssertGreaterThan(grad.map(abs).max()!, 1e-4)
    }

    func testLabelsChangeTheOutputAndNilMeansNoLabel() {
        let (model, _) = UNetTests.randomised(Self.conditional)
        let x = Variable(testNormal([2, 2, 4, 4], seed: 5)), c = Variable(Tensor(shape: [2], values: [-1, 1]))
        func run(_ labels: [Int]?) -> Tensor {
            withNoGrad { model.forward(x, c, context: ForwardContext(training: false, labels: labels)) }.value
        }
        XCTAssertEqual(run(nil).scalars, run([3, 3]).scalars)
        XCTAssertGreaterThan(run([0, 1]).maxAbsDifference(run([3, 3])), 1e-3)
        // Each sample sees its own label only.
        let mixed = run([0, 3]), zero = run([0, 0]), none = run([3, 3])
        XCTAssertEqual(mixed.slice(0..<1).scalars, zero.slice(0..<1).scalars)
        XCTAssertEqual(mixed.slice(1..<2).scalars, none.slice(1..<2).scalars)
    }

    func testUnconditionalUNetIsUnchanged() {
        // The spec's parameter counts (also asserted by UNetTests) and no label_embedding.
        XCTAssertEqual(UNet(.mnist, seed: 0).parameterCount, 3_939_393)
        let plain = UNet(UNetTests.tiny, seed: 7)
        XCTAssertFalse(plain.namedParameters.contains { $0.name.hasPrefix("label_embedding") })
        XCTAssertNil(plain.labelEmbedding)
        // A conditional model adds exactly label_embedding.weight [K + 1, emb_dim] at the end;
        // every other parameter keeps its name, shape and initial value.
        let conditional = UNet(Self.conditional, seed: 7)
        let a = plain.namedParameters, b = conditional.namedParameters
        XCTAssertEqual(b.count, a.count + 1)
        XCTAssertEqual(b.last?.name, "label_embedding.weight")
        XCTAssertEqual(b.last?.variable.shape, [4, UNetTests.tiny.embDim])
        for (p, q) in zip(a, b) {
            XCTAssertEqual(p.name, q.name)
            XCTAssertEqual(p.variable.value.scalars, q.variable.value.scalars, p.name)
        }
        XCTAssertEqual(conditional.parameterCount, plain.parameterCount + 4 * UNetTests.tiny.embDim)
    }

    func testConfigJSONCarriesNumClassesAndOldJSONDecodesAsUnconditional() throws {
        let json = try JSONEncoder().encode(Self.conditional)
        XCTAssertTrue(String(decoding: json, as: UTF8.self).contains("\"num_classes\":3"))
        XCTAssertEqual(try JSONDecoder().decode(UNetConfig.self, from: json), Self.conditional)
        let old = #"{"in_channels":2,"out_channels":2,"channels_per_depth":[4,8],"num_blocks":1,"attention_depths":[1],"pos_dim":8,"emb_dim":8,"num_groups":2,"dropout":0}"#
        XCTAssertEqual(try JSONDecoder().decode(UNetConfig.self, from: Data(old.utf8)), UNetTests.tiny)
        var bad = Self.conditional
        bad.numClasses = -1
        XCTAssertThrowsError(try bad.validate()) { XCTAssertTrue("\($0)".contains("num_classes -1"), "\($0)") }
    }
}
