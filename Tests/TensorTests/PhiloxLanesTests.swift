import XCTest
import Foundation
@testable import Tensor

final class PhiloxLanesTests: XCTestCase {
    func testEightLanesEqualEightScalarBlocks() {
        let key = SIMD2<UInt32>(0xA409_3822, 0x299F_31D0)
        for counter in [SIMD4<UInt32>(0, 0, 0, 0), SIMD4(0xFFFF_FFFC, 7, 3, 0x104), SIMD4(123, 456, 789, 0xABCD)] {
            let (w0, w1, w2, w3) = Philox4x32.blocks8(counter, key: key)
            for l in 0..<8 {
                var c = counter
                c[0] = c[0] &+ UInt32(l)
                XCTAssertEqual(SIMD4(w0[l], w1[l], w2[l], w3[l]), Philox4x32.block(c, key: key), "lane \(l)")
            }
        }
    }
}

final class FastMathTests: XCTestCase {
    func testFastExpRelativeError() {
        var worst: Double = 0
        var x: Float = -87
        XCTAssertTrue(fastExp(1000).isFinite, "\(fastExp(1000))")
        while x < 88 {
            let ref = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(fastExp(x)) - ref) / ref)
            x += 0.0137
        }
        XCTAssertLessThan(worst, 5e-7)
        XCTAssertEqual(fastExp(0), 1)
        XCTAssertTrue(fastExp(1000).isFinite && fastExp(-1000) >= 0 && fastExp(-1000) < 1e-37)
        XCTAssertEqual(sigmoidFloat(-200), 0, accuracy: 1e-30)
        XCTAssertEqual(sigmoidFloat(200), 1)
    }

    func testBlockSumsAgainstFloat64Loops() {
        for n in [0, 1, 7, 8, 9, 511, 512, 513, 3000] {
            let a = (0..<n).map { Float(sin(Double($0) * 0.7)) * 3 + 100 }
            let b = (0..<n).map { Float(cos(Double($0) * 0.3)) }
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    let x = pa.baseAddress ?? UnsafePointer(bitPattern: 64)!, y = pb.baseAddress ?? UnsafePointer(bitPattern: 64)!
                    let sum = a.reduce(0.0) { $0 + Double($1) }
                    // The portable loops, and every SIMD level's kernels the CPU runs.
                    for level in SIMDLevel.supported {
                        XCTAssertEqual(BlockSums.sum(x, count: n, simd: level), sum, accuracy: 1e-7 * max(1, abs(sum)), "\(level)")
                        let (s1, s2) = BlockSums.shiftedMoments(x, count: n, shift: 100, simd: level)
                        XCTAssertEqual(s1, a.reduce(0.0) { $0 + Double($1) - 100 }, accuracy: 1e-3, "\(level)")
                        XCTAssertEqual(s2, a.reduce(0.0) { $0 + (Double($1) - 100) * (Double($1) - 100) }, accuracy: 1e-2, "\(level)")
                    }
                    let (t1, t2) = BlockSums.sumAndCenteredDot(y, x, count: n, shift: 100)
                    XCTAssertEqual(t1, b.reduce(0.0) { $0 + Double($1) }, accuracy: 1e-3)
                    XCTAssertEqual(t2, zip(a, b).reduce(0.0) { $0 + Double($1.1) * (Double($1.0) - 100) }, accuracy: 1e-2)
                }
            }
        }
    }
}
