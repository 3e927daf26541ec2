import XCTest
@testable import Tensor

/// Winograd F(2x2, 3x3) against the im2col convolution, on shapes with odd sizes (cropped
/// tiles), every padding it takes, several runs of samples, and through the backward pass.
final class WinogradConvTests: XCTestCase {
    func testForwardMatchesIm2col() {
        // (batch, cin, h, w, cout, padding)
        let cases = [(2, 64, 8, 8, 64, 1), (3, 64, 7, 9, 72, 1), (1, 80, 6, 7, 64, 0), (2, 64, 5, 4, 64, 2),
                     (9, 64, 14, 14, 64, 1), (2, 96, 16, 16, 128, 1), (1, 64, 35, 37, 64, 1), (2, 64, 12, 12, 32, 1),
                     (1, 64, 4, 32, 32, 1), (1, 64, 5, 34, 32, 1)]   // 16 and 17 tiles a row: 16-lane tails
        var outputs: [Tensor] = []   // kept alive: no output reuses a buffer that already holds the answer
        for (index, (b, cin, h, w, cout, p)) in cases.enumerated() {
            let rng = CounterRNG(seed: UInt64(index))
            let x = rng.normal([b, cin, h, w], purpose: .misc, step: 0, firstSample: 0)
            let weight = rng.normal([cout, cin, 3, 3], purpose: .misc, step: 1, firstSample: 0)
            let bias = rng.normal([cout], purpose: .misc, step: 2, firstSample: 0)
            let g = Conv2dGeometry(input: x.shape, weight: weight.shape, stride: 1, padding: p)
            let reference = Conv2dKernel.forward(x, weight: weight, bias: bias, stride: 1, padding: p, winograd: false)
            let referenceNoBias = Conv2dKernel.forward(x, weight: weight, bias: nil, stride: 1, padding: p, winograd: false)
            // The portable transforms, and every SIMD level's the CPU runs.
            for level in SIMDLevel.supported {
                let fast = WinogradConv.forward(x, weight: weight, bias: bias, geometry: g, simd: level)
                XCTAssertEqual(fast.shape, reference.shape)
                assertClose(fast, reference, "case \(index) \(level)")
                let noBias = WinogradConv.forward(x, weight: weight, bias: nil, geometry: g, simd: level)
                assertClose(noBias, referenceNoBias, "case \(index) \(level) without bias")
                outputs += [fast, noBias]
            }
        }
    }

    /// The kernel transform against `G g G^T` written out (Lavin & Gray's G), bit for bit on
    /// every SIMD level's path, with input channels that are not a multiple of 8 or 16.
    func testKernelTransformIsGgGt() {
        for (cout, cin) in [(3, 5), (16, 13), (9, 64), (2, 33)] {
            let weight = CounterRNG(seed: 11).normal([cout, cin, 3, 3], purpose: .misc, step: 0, firstSample: 0)
            let gMatrix: [[Float]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
            for level in SIMDLevel.supported {
                let u = WinogradConv.kernelTransform(weight, cout: cout, cin: cin, simd: level)
                var worst: Float = 0
                for co in 0..<cout { for ci in 0..<cin {
                    let g = (0..<9).map { weight.pointer[(co * cin + ci) * 9 + $0] }
                    for i in 0..<4 { for j in 0..<4 {
                        var e: Float = 0
                        for a in 0..<3 { for b in 0..<3 { e += gMatrix[i][a] * g[a * 3 + b] * gMatrix[j][b] } }
                        worst = max(worst, abs(u.pointer[((i * 4 + j) * cout + co) * cin + ci] - e))
                    } }
                } }
                XCTAssertLessThan(worst, 1e-5, "\(cout)x\(cin) \(level)")
                if level != .portable {
                    let portable = WinogradConv.kernelTransform(weight, cout: cout, cin: cin, simd: .portable)
                    XCTAssertEqual(u.scalars, portable.scalars, "\(cout)x\(cin): \(level) and portable give the same bits")
                }
            }
        }
    }

    func testInputGradientThroughWinogradMatchesIm2col() {
        let rng = CounterRNG(seed: 7)
        let x = rng.normal([3, 64, 13, 12], purpose: .misc, step: 0, firstSample: 0)
        let weight = rng.normal([64, 64, 3, 3], purpose: .misc, step: 1, firstSample: 0)
        let dy = rng.normal([3, 64, 13, 12], purpose: .misc, step: 2, firstSample: 0)
        XCTAssertTrue(WinogradConv.applies(Conv2dGeometry(input: dy.shape, weight: weight.shape, stride: 1, padding: 1)))
        let fast = Conv2dKernel.backward(dy, input: x, weight: weight, stride: 1, padding: 1, winograd: true)
        let reference = Conv2dKernel.backward(dy, input: x, weight: weight, stride: 1, padding: 1, winograd: false)
        assertClose(fast.input!, reference.input!, "dx")
        assertClose(fast.weight!, reference.weight!, "dw")
    }

    func testAppliesOnlyToWideStrideOne3x3() {
        func g(_ cin: Int, _ cout: Int, k: Int = 3, stride: Int = 1, padding: Int = 1, size: Int = 16) -> Conv2dGeometry {
            Conv2dGeometry(input: [1, cin, size, size], weight: [cout, cin, k, k], stride: stride, padding: padding)
        }
        XCTAssertTrue(WinogradConv.applies(g(64, 64, size: 16)))
        XCTAssertFalse(WinogradConv.applies(g(64, 64, size: 8)))
        XCTAssertFalse(WinogradConv.applies(g(32, 64)))
        XCTAssertTrue(WinogradConv.applies(g(64, 32)))
        XCTAssertFalse(WinogradConv.applies(g(64, 16)))
        XCTAssertFalse(WinogradConv.applies(g(64, 64, stride: 2)))
        XCTAssertFalse(WinogradConv.applies(g(64, 64, k: 1, padding: 0)))
        XCTAssertFalse(WinogradConv.applies(g(64, 64, size: 3)))
    }

    func assertClose(_ a: Tensor, _ b: Tensor, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let x = a.scalars, y = b.scalars
        let scale = y.map { abs($0) }.max() ?? 1
        let worst = zip(x, y).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(worst, 1e-5 * max(1, scale) * 10, "\(label): worst difference \(worst), scale \(scale)", file: file, line: line)
    }
}
