import XCTest
import Foundation
@testable import Tensor

/// The `CKernels` table of every SIMD level this machine runs (the AVX2 intrinsics; the 16-lane
/// template compiled for AVX2, which is the AVX-512 kernels' logic; the AVX-512 instantiation
/// itself where the CPU has it) against Float64 references, one row at a time, at lengths
/// around the 16-lane vectors and the 512-element blocks; each row is followed by a sentinel
/// that no kernel may overwrite. And `SIMDLevel.choose`, the start-up choice of level.
final class SIMDKernelTests: XCTestCase {
    let lengths = [0, 1, 15, 16, 17, 511, 512, 513, 1000]
    let sentinel: Float = -12345

    /// The levels with kernels here: on this project's x86-64 machines at least AVX2 and the
    /// 16-lane template, and AVX-512 where the CPU and OS support it.
    var levels: [SIMDLevel] { SIMDLevel.supported.filter { $0 != .portable } }

    func testLevelsRunHere() {
        XCTAssertEqual(levels.contains(.width16), CPUFeatures.avx2Supported)
        XCTAssertEqual(levels.contains(.avx512), CPUFeatures.avx512Supported)
        if CPUFeatures.avx512Supported { XCTAssertTrue(CPUFeatures.avx2Supported, "every AVX-512F CPU has AVX2 + FMA") }
    }

    func testChoiceOfLevel() {
        let none: [String: String] = [:]
        XCTAssertEqual(SIMDLevel.choose(avx512Supported: true, avx2Supported: true, environment: none), .avx512)
        XCTAssertEqual(SIMDLevel.choose(avx512Supported: false, avx2Supported: true, environment: none), .avx2)
        XCTAssertEqual(SIMDLevel.choose(avx512Supported: false, avx2Supported: false, environment: none), .portable)
        for (value, level) in [("1", SIMDLevel.avx2), ("yes", .avx2), ("0", .avx512), ("", .avx512)] {
            XCTAssertEqual(SIMDLevel.choose(avx512Supported: true, avx2Supported: true,
                                            environment: ["DIFFUSE_NO_AVX512": value]), level, "DIFFUSE_NO_AVX512=\(value)")
        }
        XCTAssertEqual(SIMDLevel.choose(avx512Supported: true, avx2Supported: true, environment: ["DIFFUSE_NO_AVX2": "1"]),
                       .portable)
        XCTAssertEqual(SIMDLevel.choose(avx512Supported: false, avx2Supported: true, environment: ["DIFFUSE_NO_AVX512": "1"]),
                       .avx2)
        // This process: the choice on this CPU and environment, never the test-only 16-lane AVX2 build.
        XCTAssertEqual(CPUFeatures.simd, SIMDLevel.choose(avx512Supported: CPUFeatures.avx512Supported,
                                                          avx2Supported: CPUFeatures.avx2Supported,
                                                          environment: ProcessInfo.processInfo.environment))
        XCTAssertNotEqual(CPUFeatures.simd, .width16)
    }

    func testGroupNormRowForward() {
        let (mu, scale, shift): (Float, Float, Float) = (1.25, 0.8, -0.3)
        for level in levels {
            let k = try! XCTUnwrap(level.kernels)
            for n in lengths {
                let x = row(n, seed: 1)
                for silu in [false, true] {
                    let y = output(n)
                    k.groupnorm_row_forward(x, y, n, mu, scale, shift, silu ? 1 : 0)
                    let expected = (0..<n).map { i -> Double in
                        let z = (Double(x[i]) - Double(mu)) * Double(scale) + Double(shift)
                        return silu ? z / (1 + Foundation.exp(-z)) : z
                    }
                    assertRow(y, expected, tolerance: 2e-5, "forward \(level) n \(n) silu \(silu)")
                    y.deallocate()
                }
                x.deallocate()
            }
        }
    }

    func testGroupNormRowBackward() {
        let (mu, rstd, weight, bias, m1, m2): (Float, Float, Float, Float, Float, Float) = (1.25, 0.6, 1.3, 0.2, 0.05, -0.1)
        for level in levels {
            let k = try! XCTUnwrap(level.kernels)
            for n in lengths {
                let x = row(n, seed: 2), dy = row(n, seed: 3)
                for silu in [false, true] {
                    let dz = output(n)
                    var sum = 0.0, sumCentred = 0.0
                    k.groupnorm_row_backward_sums(x, dy, silu ? dz : nil, n, mu, rstd * weight, bias, silu ? 1 : 0,
                                                  &sum, &sumCentred)
                    let expectedDz = (0..<n).map { i -> Double in
                        let z = (Double(x[i]) - Double(mu)) * Double(rstd * weight) + Double(bias)
                        let s = 1 / (1 + Foundation.exp(-z))
                        return silu ? Double(dy[i]) * s * (1 + z * (1 - s)) : Double(dy[i])
                    }
                    let label = "backward sums \(level) n \(n) silu \(silu)"
                    if silu { assertRow(dz, expectedDz, tolerance: 2e-5, label) }
                    else { XCTAssertEqual(dz[0], sentinel, label + ": dz written without SiLU") }
                    let centred = (0..<n).map { Double(x[$0]) - Double(mu) }
                    XCTAssertEqual(sum, expectedDz.reduce(0, +), accuracy: 1e-4 * max(1, expectedDz.map(abs).reduce(0, +)), label)
                    let dots = zip(expectedDz, centred).map { $0 * $1 }
                    XCTAssertEqual(sumCentred, dots.reduce(0, +), accuracy: 1e-4 * max(1, dots.map(abs).reduce(0, +)), label)

                    let dx = output(n)
                    k.groupnorm_row_backward_input(x, dy, dx, n, mu, rstd, weight, m1, m2)
                    let expectedDx = (0..<n).map { i in
                        Double(rstd) * (Double(weight) * Double(dy[i]) - Double(m1) - centred[i] * Double(rstd) * Double(m2))
                    }
                    assertRow(dx, expectedDx, tolerance: 2e-5, "backward input \(level) n \(n)")
                    dz.deallocate()
                    dx.deallocate()
                }
                x.deallocate()
                dy.deallocate()
            }
        }
    }

    func testBlockSums() {
        for level in levels {
            let k = try! XCTUnwrap(level.kernels)
            for n in lengths {
                let x = row(n, seed: 4, offset: 100)
                let values = (0..<n).map { Double(x[$0]) }
                let sum = values.reduce(0, +)
                XCTAssertEqual(k.sum(x, n), sum, accuracy: 1e-7 * max(1, abs(sum)), "sum \(level) n \(n)")
                var s1 = 0.0, s2 = 0.0
                k.shifted_moments(x, n, 100, &s1, &s2)
                XCTAssertEqual(s1, values.reduce(0) { $0 + $1 - 100 }, accuracy: 1e-3, "shifted sum \(level) n \(n)")
                XCTAssertEqual(s2, values.reduce(0) { $0 + ($1 - 100) * ($1 - 100) }, accuracy: 1e-2, "shifted squares \(level) n \(n)")
                x.deallocate()
            }
        }
    }

    func testAdamUpdateGivesThePortableBits() {
        let s = AdamUpdate.Scalars(beta1: 0.9, beta2: 0.999, stepSize: 1e-3 / 0.19, bias2Sqrt: 0.0447, eps: 1e-8,
                                   l2: 0.01, shrink: 0.999)
        for level in levels {
            let k = try! XCTUnwrap(level.kernels)
            for n in lengths {
                let g = row(n, seed: 5)
                let expected = (0..<4).map { row(n, seed: 6 + UInt64($0)) }   // p, m, v, with v >= 0
                let actual = (0..<4).map { row(n, seed: 6 + UInt64($0)) }
                for buffers in [expected, actual] { for i in 0..<n { buffers[2][i] = abs(buffers[2][i]) } }
                for _ in 0..<2 {
                    AdamUpdate.portable(expected[0], g, expected[1], expected[2], n, s)
                    k.adam_update(actual[0], g, actual[1], actual[2], n, s.beta1, s.beta2, s.stepSize, s.bias2Sqrt, s.eps,
                                  s.l2, s.shrink)
                }
                for (b, name) in ["p", "m", "v"].enumerated() {
                    XCTAssertEqual(Array(UnsafeBufferPointer(start: actual[b], count: n + 1)),
                                   Array(UnsafeBufferPointer(start: expected[b], count: n + 1)), "adam \(name) \(level) n \(n)")
                }
                (expected + actual + [g]).forEach { $0.deallocate() }
            }
        }
    }

    // MARK: helpers

    /// `n` values `3 normal + offset` and the sentinel after them.
    func row(_ n: Int, seed: UInt64, offset: Float = 1.5) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: n + 1)
        let values = CounterRNG(seed: seed).normal([max(n, 1)], purpose: .misc, step: 0, firstSample: 0).scalars
        for i in 0..<n { p[i] = 3 * values[i] + offset }
        p[n] = sentinel
        return p
    }

    /// `n + 1` sentinels.
    func output(_ n: Int) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: n + 1)
        p.initialize(repeating: sentinel, count: n + 1)
        return p
    }

    func assertRow(_ p: UnsafeMutablePointer<Float>, _ expected: [Double], tolerance: Double, _ label: String,
                   file: StaticString = #filePath, line: UInt = #line) {
        let worst = expected.indices.map { abs(Double(p[$0]) - expected[$0]) / max(1, abs(expected[$0])) }.max() ?? 0
        XCTAssertLessThan(worst, tolerance, label, file: file, line: line)
        XCTAssertEqual(p[expected.count], sentinel, label + ": wrote past the row", file: file, line: line)
    }
}
