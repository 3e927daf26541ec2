import XCTest
import Foundation
import Tensor
@testable import Autograd

final class GroupNormTests: XCTestCase {
    /// Straightforward reference: statistics per (sample, group) by explicit index loops.
    func naiveGroupNorm(_ x: Tensor, _ w: Tensor, _ b: Tensor, groups: Int, eps: Double, silu: Bool) -> [Float] {
        let nb = x.shape[0], nc = x.shape[1], ns = x.count / (nb * nc), cg = nc / groups
        var out = [Float](repeating: 0, count: x.count)
        for s in 0..<nb {
            for g in 0..<groups {
                var values: [Double] = []
                for c in (g * cg)..<((g + 1) * cg) { for i in 0..<ns { values.append(Double(x.pointer[(s * nc + c) * ns + i])) } }
                let mu = values.reduce(0, +) / Double(values.count)
                let variance = values.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(values.count)
                for c in (g * cg)..<((g + 1) * cg) {
                    for i in 0..<ns {
                        let k = (s * nc + c) * ns + i
                        var z = (Double(x.pointer[k]) - mu) / (variance + eps).squareRoot() * Double(w.pointer[c]) + Double(b.pointer[c])
                        if silu { z = z / (1 + Foundation.exp(-z)) }
                        out[k] = Float(z)
                    }
                }
            }
        }
        return out
    }

    static let cases: [(shape: [Int], groups: Int)] = [
        ([2, 4, 3, 3], 2), ([2, 4, 3, 3], 4), ([2, 4, 3, 3], 1), ([3, 6, 1, 1], 3), ([2, 4, 1, 1], 4),
        ([2, 6], 3), ([1, 8, 2, 5], 2), ([2, 3, 4, 4], 1),
    ]

    func testForwardMatchesNaiveReference() {
        for (shape, groups) in Self.cases {
            // An offset mean checks the one-pass variance for cancellation.
            let x = randn(shape, seed: 51, scale: 2, shift: 30)
            let w = randn([shape[1]], seed: 52), b = randn([shape[1]], seed: 53)
            for silu in [false, true] {
                let f = silu ? groupNormSiLU : groupNorm
                let y = f(Variable(x), Variable(w), Variable(b), groups, 1e-5).value
                let ref = naiveGroupNorm(x, w, b, groups: groups, eps: 1e-5, silu: silu)
                XCTAssertEqual(y.shape, shape)
                var worst: Float = 0
                for i in 0..<ref.count { worst = max(worst, abs(y.pointer[i] - ref[i])) }
                XCTAssertLessThan(worst, 2e-4, "shape \(shape) groups \(groups) silu \(silu)")
            }
        }
    }

    func testNormalisedGroupsHaveZeroMeanUnitVariance() {
        let x = randn([2, 8, 4, 4], seed: 54, scale: 3, shift: -5)
        let y = groupNorm(Variable(x), weight: Variable(Tensor(shape: [8], repeating: 1)),
                          bias: Variable(Tensor(zeros: [8])), groups: 4).value
        for bg in 0..<8 {
            let vals = (0..<32).map { Double(y.pointer[bg * 32 + $0]) }
            let m = vals.reduce(0, +) / 32
            let v = vals.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 32
            XCTAssertEqual(m, 0, accuracy: 1e-5)
            XCTAssertEqual(v, 1, accuracy: 1e-3)
        }
    }

    func testGradients() {
        for (shape, groups) in Self.cases {
            let x = randn(shape, seed: 55)
            let w = randn([shape[1]], seed: 56, scale: 0.5, shift: 1), b = randn([shape[1]], seed: 57)
            assertGradient([x, w, b], tolerance: 3e-2, "groupNorm \(shape) g\(groups)") { v in
                groupNorm(v[0], weight: v[1], bias: v[2], groups: groups)
            }
            assertGradient([x, w, b], tolerance: 3e-2, "groupNormSiLU \(shape) g\(groups)") { v in
                groupNormSiLU(v[0], weight: v[1], bias: v[2], groups: groups)
            }
        }
    }

    /// Large enough to run over several threads; the fused op must equal silu(groupNorm).
    func testFusedEqualsComposedOnALargeInput() {
        let x = randn([4, 32, 16, 16], seed: 58)
        let w = randn([32], seed: 59), b = randn([32], seed: 60)
        let vx = Variable(x, requiresGrad: true), vw = Variable(w, requiresGrad: true), vb = Variable(b, requiresGrad: true)
        let seed = randn([4, 32, 16, 16], seed: 61)
        groupNormSiLU(vx, weight: vw, bias: vb, groups: 8).backward(seed: seed)
        let ux = Variable(x, requiresGrad: true), uw = Variable(w, requiresGrad: true), ub = Variable(b, requiresGrad: true)
        let composed = silu(groupNorm(ux, weight: uw, bias: ub, groups: 8))
        composed.backward(seed: seed)
        XCTAssertLessThan(vx.grad!.maxAbsDifference(ux.grad!), 1e-4)
        XCTAssertLessThan(vw.grad!.maxAbsDifference(uw.grad!), 1e-3)
        XCTAssertLessThan(vb.grad!.maxAbsDifference(ub.grad!), 1e-3)
    }
}
