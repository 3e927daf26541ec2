import XCTest
import Foundation
@testable import Tensor

/// The group-norm rows of every SIMD level this machine runs (`CKernels`' AVX2 + FMA rows, the
/// 16-lane template on AVX2, AVX-512 where the CPU has it) against a Float64 reference and
/// against the portable Swift loops, on row lengths that exercise the tails and the 512-element blocks.
final class AVX2KernelTests: XCTestCase {
    /// Shapes `[B, C, H, W]` with groups: rows of 1, 7, 9, 49, 196 and 600 elements.
    let cases: [([Int], Int)] = [([2, 4, 1, 1], 2), ([2, 6, 1, 7], 3), ([1, 4, 3, 3], 1), ([3, 8, 7, 7], 4),
                                 ([2, 4, 14, 14], 2), ([1, 2, 20, 30], 1)]

    func testDispatchNeverChoosesUnsupportedKernels() {
        if !CPUFeatures.avx2Supported { XCTAssertFalse(CPUFeatures.avx2) }
        XCTAssertTrue(CPUFeatures.simd.isSupported, "\(CPUFeatures.simd)")
        XCTAssertNotEqual(CPUFeatures.simd, .width16)
        // DIFFUSE_NO_AVX2 unset (the test environment): the kernels are used wherever supported.
        if ProcessInfo.processInfo.environment["DIFFUSE_NO_AVX2"] == nil {
            XCTAssertEqual(CPUFeatures.avx2, CPUFeatures.avx2Supported)
        }
    }

    func testGroupNormForwardAgainstFloat64Reference() {
        // Every output stays alive, so no output buffer is a recycled one that already holds
        // the right values (an element a kernel failed to write would then go unnoticed).
        var outputs: [Tensor] = []
        for (index, (shape, groups)) in cases.enumerated() {
            let (x, w, b) = inputs(shape, seed: UInt64(index))
            for silu in [false, true] {
                let expected = referenceForward(x, w, b, groups: groups, silu: silu)
                for level in paths {
                    let (y, _, _) = GroupNormKernel.forward(x, weight: w, bias: b, groups: groups, eps: 1e-5, silu: silu, simd: level)
                    assertClose(y, expected, tolerance: 2e-5, "forward case \(index) silu \(silu) \(level)")
                    outputs.append(y)
                }
            }
        }
    }

    func testGroupNormBackwardAVX2MatchesPortable() {
        var outputs: [Tensor] = []   // kept alive, as in the forward test
        for (index, (shape, groups)) in cases.enumerated() {
            let (x, w, b) = inputs(shape, seed: UInt64(10 + index))
            let dy = CounterRNG(seed: UInt64(20 + index)).normal(shape, purpose: .misc, step: 0, firstSample: 0)
            for silu in [false, true] {
                let (_, mean, rstd) = GroupNormKernel.forward(x, weight: w, bias: b, groups: groups, eps: 1e-5, silu: silu, simd: .portable)
                let results = paths.map {
                    GroupNormKernel.backward(x, weight: w, bias: b, groups: groups, mean: mean, rstd: rstd, silu: silu,
                                             gradOutput: dy, simd: $0)
                }
                for (r, level) in zip(results, paths).dropFirst() {
                    let label = "backward case \(index) silu \(silu) \(level)"
                    assertClose(r.dx, results[0].dx, tolerance: 1e-4, label + " dx")
                    assertClose(r.dWeight, results[0].dWeight, tolerance: 1e-4, label + " dweight")
                    assertClose(r.dBias, results[0].dBias, tolerance: 1e-4, label + " dbias")
                }
                XCTAssertEqual(results.count, CPUFeatures.avx2Supported ? (CPUFeatures.avx512Supported ? 4 : 3) : 1)
                outputs += results.flatMap { [$0.dx, $0.dWeight, $0.dBias] }
            }
        }
    }

    func testSiLUAtSaturation() {
        // Rows of +-1 (mean 0, variance 1, eps 0): xhat = +-1, and z = 200 xhat (channel 0) or
        // z = -200 (channel 1). sigmoid saturates to 1 and 0; rcp of a huge 1 + e^-z must not give NaN.
        let row: [Float] = (0..<10).map { $0 % 2 == 0 ? -1 : 1 }
        let x = Tensor(shape: [1, 2, 1, 10], values: row + row)
        let w = Tensor(shape: [2], values: [200, 0]), b = Tensor(shape: [2], values: [0, -200])
        var outputs: [Tensor] = []   // kept alive, as in the forward test
        for level in paths {
            let (y, _, _) = GroupNormKernel.forward(x, weight: w, bias: b, groups: 2, eps: 0, silu: true, simd: level)
            outputs.append(y)
            let v = y.scalars
            for i in 0..<10 {
                XCTAssertEqual(v[i], i % 2 == 0 ? 0 : 200, accuracy: 1e-4, "\(level) element \(i)")
                XCTAssertEqual(v[10 + i], 0, accuracy: 1e-30, "\(level) saturated element \(i)")
            }
        }
    }

    // MARK: helpers

    var paths: [SIMDLevel] { SIMDLevel.supported }

    func inputs(_ shape: [Int], seed: UInt64) -> (Tensor, Tensor, Tensor) {
        let rng = CounterRNG(seed: seed)
        let x = rng.normal(shape, purpose: .misc, step: 0, firstSample: 0)
        x.assign(x.map { 3 * $0 + 1.5 })
        let w = rng.normal([shape[1]], purpose: .misc, step: 1, firstSample: 0)
        let b = rng.normal([shape[1]], purpose: .misc, step: 2, firstSample: 0)
        return (x, w, b)
    }

    func referenceForward(_ x: Tensor, _ w: Tensor, _ b: Tensor, groups: Int, silu: Bool) -> [Double] {
        let xs = x.scalars.map(Double.init), ws = w.scalars, bs = b.scalars
        let (batch, channels) = (x.shape[0], x.shape[1]), plane = x.count / (batch * channels)
        let n = channels / groups * plane
        var y = [Double](repeating: 0, count: xs.count)
        for g in 0..<(batch * groups) {
            let group = xs[(g * n)..<((g + 1) * n)]
            let mu = group.reduce(0, +) / Double(n)
            let variance = group.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(n)
            for i in 0..<n {
                let c = (g % groups) * (channels / groups) + i / plane
                let z = (xs[g * n + i] - mu) / (variance + 1e-5).squareRoot() * Double(ws[c]) + Double(bs[c])
                y[g * n + i] = silu ? z / (1 + Foundation.exp(-z)) : z
            }
        }
        return y
    }

    func assertClose(_ t: Tensor, _ expected: [Double], tolerance: Double, _ label: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        let v = t.scalars
        XCTAssertEqual(v.count, expected.count, label, file: file, line: line)
        let worst = zip(v, expected).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? 0
        XCTAssertLessThan(worst, tolerance, label, file: file, line: line)
    }

    func assertClose(_ t: Tensor, _ expected: Tensor, tolerance: Double, _ label: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        assertClose(t, expected.scalars.map(Double.init), tolerance: tolerance, label, file: file, line: line)
    }
}
