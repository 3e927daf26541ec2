import XCTest
@testable import Tensor

func randomTensor(_ shape: [Int], seed: UInt64 = 1) -> Tensor {
    CounterRNG(seed: seed).normal([1, Tensor.count(of: shape)], purpose: .misc, step: 0, firstSample: 0).reshaped(shape)
}

final class BroadcastTests: XCTestCase {
    func testBroadcastShapeRules() throws {
        XCTAssertEqual(try Tensor.broadcastShape([2, 3, 4, 5], [2, 3, 1, 1]), [2, 3, 4, 5])
        XCTAssertEqual(try Tensor.broadcastShape([1, 3, 1, 1], [2, 3, 4, 5]), [2, 3, 4, 5])
        XCTAssertEqual(try Tensor.broadcastShape([2, 3, 4, 5], []), [2, 3, 4, 5])
        XCTAssertEqual(try Tensor.broadcastShape([5], [3, 1]), [3, 5])
        XCTAssertEqual(try Tensor.broadcastShape([], []), [])
        XCTAssertEqual(try Tensor.broadcastShape([0, 1], [1, 4]), [0, 4])
    }

    func testIncompatibleShapesAreRejectedNamingBoth() {
        XCTAssertThrowsError(try Tensor.broadcastShape([2, 3, 4, 4], [2, 5, 1, 1])) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("[2, 3, 4, 4]"), message)
            XCTAssertTrue(message.contains("[2, 5, 1, 1]"), message)
        }
        XCTAssertThrowsError(try Tensor.broadcastShape([3], [4]))
        XCTAssertThrowsError(try Tensor.normalizedAxes([4], shape: [2, 3])) { error in
            XCTAssertTrue("\(error)".contains("[2, 3]"))
        }
    }

    /// Every binary kernel against an index-by-index reference on many shape pairs.
    func testBinaryKernelsMatchNaiveBroadcast() {
        let pairs: [([Int], [Int])] = [
            ([2, 3, 4, 5], [2, 3, 4, 5]), ([2, 3, 4, 5], [2, 3, 1, 1]), ([2, 3, 4, 5], [1, 3, 1, 1]),
            ([2, 3, 4, 5], [2, 1, 1, 1]), ([2, 3, 4, 5], []), ([], [2, 3, 1, 1]), ([1, 3, 1, 1], [2, 3, 4, 5]),
            ([4, 5], [5]), ([3, 1], [1, 4]), ([2, 1, 4], [3, 1]), ([2, 3, 1, 1], [2, 3, 1, 1]),
            ([2, 3, 4, 5], [3, 4, 1]), ([1], [3, 2]), ([2, 1, 3, 1], [1, 4, 1, 5]),
        ]
        for (sa, sb) in pairs {
            let a = randomTensor(sa, seed: 1), b = randomTensor(sb, seed: 2).map { $0 + 3 }  // keep away from 0 for divide
            let out = try! Tensor.broadcastShape(sa, sb)
            let ops: [(Tensor, (Float, Float) -> Float)] = [
                (Tensor.add(a, b), (+)), (Tensor.subtract(a, b), (-)), (Tensor.multiply(a, b), (*)), (Tensor.divide(a, b), (/)),
            ]
            for (k, (y, f)) in ops.enumerated() {
                XCTAssertEqual(y.shape, out)
                for i in 0..<y.count {
                    let idx = Tensor.multiIndex(i, shape: out)
                    let ia = Tensor.flatIndex(Array(idx.suffix(sa.count)).enumerated().map { sa[$0.offset] == 1 ? 0 : $0.element }, shape: sa)
                    let ib = Tensor.flatIndex(Array(idx.suffix(sb.count)).enumerated().map { sb[$0.offset] == 1 ? 0 : $0.element }, shape: sb)
                    XCTAssertEqual(y.pointer[i], f(a.pointer[ia], b.pointer[ib]), "op \(k) shapes \(sa) \(sb) element \(i)")
                }
            }
        }
    }

    func testBroadcastedToRepeatsValues() {
        let x = Tensor(shape: [1, 3, 1], values: [1, 2, 3])
        let y = x.broadcasted(to: [2, 3, 2])
        XCTAssertEqual(y.scalars, [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3])
        XCTAssertEqual(Tensor(scalar: 5).broadcasted(to: [2, 2]).scalars, [5, 5, 5, 5])
    }

    /// `sum(axes:)` against a reference for every subset of axes of a 4-D tensor.
    func testSumOverAxesMatchesNaive() {
        for shape in [[2, 3, 4, 5], [3, 1, 2, 7], [1, 1, 1, 1]] {
            let x = randomTensor(shape, seed: 3)
            for mask in 0..<16 {
                let axes = (0..<4).filter { mask & (1 << $0) != 0 }
                let y = x.sum(axes: axes, keepDims: true)
                let keptShape = shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
                XCTAssertEqual(y.shape, keptShape)
                var ref = [Double](repeating: 0, count: y.count)
                for i in 0..<x.count {
                    let idx = Tensor.multiIndex(i, shape: shape).enumerated().map { axes.contains($0.offset) ? 0 : $0.element }
                    ref[Tensor.flatIndex(idx, shape: keptShape)] += Double(x.pointer[i])
                }
                for i in 0..<y.count { XCTAssertEqual(Double(y.pointer[i]), ref[i], accuracy: 1e-4, "axes \(axes)") }
                XCTAssertEqual(x.sum(axes: axes).shape, shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element))
            }
        }
        XCTAssertEqual(Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]).sum(axes: [-1]).scalars, [6, 15])
    }

    func testSummedToShapeIsTheAdjointOfBroadcast() {
        let g = randomTensor([2, 3, 4, 5], seed: 4)
        for shape in [[2, 3, 1, 1], [1, 3, 1, 1], [2, 1, 1, 1], [], [5], [3, 4, 1], [2, 3, 4, 5]] {
            let s = g.summed(toShape: shape)
            XCTAssertEqual(s.shape, shape)
            // <g, broadcast(v)> == <summed(g), v> for a random v.
            let v = randomTensor(shape, seed: 5)
            let lhs = Tensor.multiply(g, v.broadcasted(to: g.shape)).sum()
            let rhs = Tensor.multiply(s, v).sum()
            XCTAssertEqual(lhs, rhs, accuracy: 1e-3, "\(shape)")
        }
    }
}

final class BroadcastParallelTests: XCTestCase {
    /// Large enough that the kernels split over threads.
    func testLargeBroadcastAndReductionAgreeWithDirectLoops() {
        let shape = [4, 64, 16, 16]
        let x = randomTensor(shape, seed: 8), s = randomTensor([4, 64, 1, 1], seed: 9), c = randomTensor([1, 64, 1, 1], seed: 10)
        let y = Tensor.add(Tensor.multiply(x, s), c)
        var worst: Float = 0
        for b in 0..<4 { for ch in 0..<64 { for i in 0..<256 {
            let k = (b * 64 + ch) * 256 + i
            worst = max(worst, abs(y.pointer[k] - (x.pointer[k] * s.pointer[b * 64 + ch] + c.pointer[ch])))
        } } }
        XCTAssertEqual(worst, 0)
        let perChannel = y.summed(toShape: [1, 64, 1, 1])
        for ch in 0..<64 {
            var acc = 0.0
            for b in 0..<4 { for i in 0..<256 { acc += Double(y.pointer[(b * 64 + ch) * 256 + i]) } }
            XCTAssertEqual(Double(perChannel.pointer[ch]), acc, accuracy: 1e-3)
        }
        let columns = y.reshaped([1024, 64]).sum(axes: [0])
        for ch in 0..<64 {
            var acc = 0.0
            for r in 0..<1024 { acc += Double(y.pointer[r * 64 + ch]) }
            XCTAssertEqual(Double(columns.pointer[ch]), acc, accuracy: 1e-3)
        }
    }
}
