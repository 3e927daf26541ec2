import XCTest
import Tensor
@testable import Autograd

final class ShapeOpsTests: XCTestCase {
    func testReshapeSharesValuesAndRoutesGradient() {
        let x = randn([2, 3, 4], seed: 71)
        let y = reshape(Variable(x), [6, -1])
        XCTAssertEqual(y.shape, [6, 4])
        XCTAssertEqual(y.value.scalars, x.scalars)
        assertGradient([x], "reshape") { square(reshape($0[0], [4, 6])) }
    }

    func testPermuteMatchesNaive() {
        let shape = [2, 3, 4, 5]
        let x = randn(shape, seed: 72)
        for perm in [[0, 1, 2, 3], [0, 2, 3, 1], [3, 2, 1, 0], [1, 0, 2, 3], [0, 1, 3, 2], [2, 0, 3, 1]] {
            let y = x.permuted(perm)
            let outShape = perm.map { shape[$0] }
            XCTAssertEqual(y.shape, outShape)
            for i in 0..<y.count {
                let o = Tensor.multiIndex(i, shape: outShape)
                var idx = [Int](repeating: 0, count: 4)
                for k in 0..<4 { idx[perm[k]] = o[k] }
                XCTAssertEqual(y.pointer[i], x.pointer[Tensor.flatIndex(idx, shape: shape)], "perm \(perm)")
            }
            assertGradient([x], "permute \(perm)") { permute($0[0], perm) }
        }
        // Several tiles of the transposing path, with ragged edges.
        let wide = randn([2, 40, 70], seed: 70)
        let t = wide.permuted([0, 2, 1])
        for b in 0..<2 { for i in 0..<40 { for j in 0..<70 {
            XCTAssertEqual(t.pointer[(b * 70 + j) * 40 + i], wide.pointer[(b * 40 + i) * 70 + j])
        } } }
        XCTAssertEqual(t.permuted([0, 2, 1]).scalars, wide.scalars)
        // Size-1 axes are skipped when merging.
        let z = randn([2, 1, 3, 1], seed: 73)
        XCTAssertEqual(z.permuted([3, 2, 1, 0]).scalars, [0, 3, 1, 4, 2, 5].map { z.pointer[$0] })
        XCTAssertThrowsError(try Tensor.checkPermutation([0, 0, 1], shape: [2, 3, 4])) { XCTAssertTrue("\($0)".contains("[2, 3, 4]")) }
    }

    func testConcatValuesGradientAndShapeErrors() {
        let a = randn([2, 3, 2, 2], seed: 74), b = randn([2, 1, 2, 2], seed: 75), c = randn([2, 2, 2, 2], seed: 76)
        let y = concat([Variable(a), Variable(b), Variable(c)], axis: 1).value
        XCTAssertEqual(y.shape, [2, 6, 2, 2])
        for s in 0..<2 {
            XCTAssertEqual(Array(y.scalars[(s * 24)..<(s * 24 + 12)]), Array(a.scalars[(s * 12)..<(s * 12 + 12)]))
            XCTAssertEqual(Array(y.scalars[(s * 24 + 12)..<(s * 24 + 16)]), Array(b.scalars[(s * 4)..<(s * 4 + 4)]))
            XCTAssertEqual(Array(y.scalars[(s * 24 + 16)..<(s * 24 + 24)]), Array(c.scalars[(s * 8)..<(s * 8 + 8)]))
        }
        assertGradient([a, b, c], "concat axis 1") { square(concat($0, axis: 1)) }
        assertGradient([randn([3, 2], seed: 77), randn([1, 2], seed: 78)], "concat axis 0") { square(concat($0, axis: 0)) }
        assertGradient([randn([2, 2, 1], seed: 79), randn([2, 2, 3], seed: 80)], "concat last axis") { square(concat($0, axis: 2)) }
        XCTAssertThrowsError(try Tensor.concatShape([[2, 3, 4, 4], [2, 3, 2, 2]], axis: 1)) { error in
            XCTAssertTrue("\(error)".contains("[2, 3, 4, 4]") && "\(error)".contains("[2, 3, 2, 2]"), "\(error)")
        }
        XCTAssertEqual(try Tensor.concatShape([[2, 3, 4, 4], [2, 5, 4, 4]], axis: 1), [2, 8, 4, 4])
        XCTAssertEqual(concat([Variable(a), Variable(b)], axis: -3).value.scalars, concat([Variable(a), Variable(b)], axis: 1).value.scalars)
    }

    func testSliceValuesGradientAndBounds() {
        let x = randn([2, 5, 3], seed: 81)
        let y = slice(Variable(x), axis: 1, range: 1..<4).value
        XCTAssertEqual(y.shape, [2, 3, 3])
        for i in 0..<y.count {
            let idx = Tensor.multiIndex(i, shape: [2, 3, 3])
            XCTAssertEqual(y.pointer[i], x.pointer[Tensor.flatIndex([idx[0], idx[1] + 1, idx[2]], shape: [2, 5, 3])])
        }
        assertGradient([x], "slice axis 1") { square(slice($0[0], axis: 1, range: 1..<4)) }
        XCTAssertEqual(slice(Variable(x), axis: -1, range: 0..<2).value.scalars, slice(Variable(x), axis: 2, range: 0..<2).value.scalars)
        assertGradient([x], "slice axis 0") { square(slice($0[0], axis: 0, range: 1..<2)) }
        assertGradient([x], "slice axis 2 empty-edge") { square(slice($0[0], axis: 2, range: 2..<3)) }
        XCTAssertThrowsError(try Tensor.checkSlice(shape: [2, 5, 3], axis: 1, range: 3..<6)) { XCTAssertTrue("\($0)".contains("[2, 5, 3]")) }
        XCTAssertThrowsError(try Tensor.checkSlice(shape: [2, 5, 3], axis: 3, range: 0..<1))
    }

    func testUpsampleNearest2x() {
        let x = Tensor(shape: [1, 1, 2, 2], values: [1, 2, 3, 4])
        XCTAssertEqual(upsampleNearest2x(Variable(x)).value.scalars,
                       [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        assertGradient([randn([2, 3, 3, 2], seed: 82)], "upsample") { square(upsampleNearest2x($0[0])) }
        assertGradient([randn([2, 2, 1, 1], seed: 83)], "upsample 1x1") { square(upsampleNearest2x($0[0])) }
        // Large enough for several threads: every output equals its source pixel.
        let big = randn([4, 32, 8, 8], seed: 84)
        let up = UpsampleKernel.nearest2x(big)
        for i in stride(from: 0, to: up.count, by: 7) {
            let idx = Tensor.multiIndex(i, shape: up.shape)
            XCTAssertEqual(up.pointer[i], big.pointer[Tensor.flatIndex([idx[0], idx[1], idx[2] / 2, idx[3] / 2], shape: big.shape)])
        }
        let back = UpsampleKernel.nearest2xBackward(up)
        XCTAssertLessThan(back.maxAbsDifference(big.affine(scale: 4, shift: 0)), 1e-5)
    }
}
