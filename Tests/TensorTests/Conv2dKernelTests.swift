import XCTest
@testable import Tensor

/// conv2d forward and backward kernels against a direct (seven-loop) convolution, for every
/// way of batching samples into GEMMs.
final class Conv2dKernelTests: XCTestCase {
    struct Case {
        var b, cin, h, w, cout, kh, kw, stride, padding: Int
    }

    /// Kernel sizes 1/2/3/5 (square and not), stride 1 and 2, padding 0/1/2, odd sizes, 1x1 images,
    /// one-pixel-wide images, batch > 1.
    let cases: [Case] = [
        Case(b: 2, cin: 3, h: 5, w: 7, cout: 4, kh: 3, kw: 3, stride: 1, padding: 1),
        Case(b: 3, cin: 2, h: 7, w: 5, cout: 3, kh: 3, kw: 3, stride: 2, padding: 1),
        Case(b: 2, cin: 3, h: 6, w: 6, cout: 2, kh: 3, kw: 3, stride: 2, padding: 1),
        Case(b: 2, cin: 2, h: 5, w: 5, cout: 3, kh: 3, kw: 3, stride: 1, padding: 0),
        Case(b: 3, cin: 4, h: 4, w: 3, cout: 5, kh: 1, kw: 1, stride: 1, padding: 0),
        Case(b: 2, cin: 2, h: 5, w: 5, cout: 2, kh: 1, kw: 1, stride: 2, padding: 0),
        Case(b: 2, cin: 3, h: 1, w: 1, cout: 4, kh: 3, kw: 3, stride: 1, padding: 1),
        Case(b: 2, cin: 3, h: 1, w: 1, cout: 2, kh: 1, kw: 1, stride: 1, padding: 0),
        Case(b: 2, cin: 2, h: 6, w: 5, cout: 3, kh: 5, kw: 3, stride: 1, padding: 2),
        Case(b: 2, cin: 2, h: 7, w: 6, cout: 3, kh: 2, kw: 2, stride: 2, padding: 0),
        Case(b: 1, cin: 1, h: 3, w: 3, cout: 1, kh: 3, kw: 3, stride: 2, padding: 1),
        Case(b: 2, cin: 2, h: 6, w: 5, cout: 3, kh: 5, kw: 5, stride: 1, padding: 2),
        Case(b: 2, cin: 2, h: 5, w: 4, cout: 2, kh: 3, kw: 1, stride: 1, padding: 0),
        Case(b: 2, cin: 2, h: 3, w: 1, cout: 2, kh: 3, kw: 3, stride: 1, padding: 1),
    ]

    func random(_ shape: [Int], _ stream: UInt32) -> Tensor {
        CounterRNG(seed: 3).normal([1, Tensor.count(of: shape)], purpose: .misc, stream: stream, step: 0, firstSample: 0)
            .reshaped(shape)
    }

    /// Calls `body(b, co, oh, ow, ci, i, j, xIndex)` for every product term of the convolution
    /// that reads inside the image (`xIndex` into x; the padding contributes zero).
    func forEachTerm(_ c: Case, _ body: (Int, Int, Int, Int, Int, Int, Int, Int) -> Void) {
        let oh = (c.h + 2 * c.padding - c.kh) / c.stride + 1, ow = (c.w + 2 * c.padding - c.kw) / c.stride + 1
        for b in 0..<c.b { for co in 0..<c.cout { for y in 0..<oh { for x in 0..<ow {
            for ci in 0..<c.cin { for i in 0..<c.kh { for j in 0..<c.kw {
                let ih = y * c.stride + i - c.padding, iw = x * c.stride + j - c.padding
                if ih < 0 || ih >= c.h || iw < 0 || iw >= c.w { continue }
                body(b, co, y, x, ci, i, j, ((b * c.cin + ci) * c.h + ih) * c.w + iw)
            } } }
        } } } }
    }

    /// A case's random input, weight, bias and output gradient (random streams `streams ..<
    /// streams + 4`), and its geometry.
    func inputs(_ c: Case, streams: UInt32) -> (x: Tensor, w: Tensor, bias: Tensor, g: Conv2dGeometry, dy: Tensor) {
        let x = random([c.b, c.cin, c.h, c.w], streams), w = random([c.cout, c.cin, c.kh, c.kw], streams + 1)
        let bias = random([c.cout], streams + 2)
        let g = Conv2dGeometry(input: x.shape, weight: w.shape, stride: c.stride, padding: c.padding)
        return (x, w, bias, g, random(g.outputShape, streams + 3))
    }

    func check(_ t: Tensor, _ ref: [Double], _ what: String) {
        XCTAssertEqual(t.count, ref.count, what)
        var worst = 0.0
        for i in 0..<min(t.count, ref.count) { worst = max(worst, abs(Double(t.pointer[i]) - ref[i])) }
        XCTAssertLessThan(worst, 1e-4, what)
    }

    /// Output, input gradient and weight gradient of the direct convolution (Float64).
    func directConvolution(_ c: Case, x: Tensor, weight w: Tensor, bias: Tensor, gradOut dy: Tensor)
        -> (y: [Double], dx: [Double], dw: [Double]) {
        let g = Conv2dGeometry(input: x.shape, weight: w.shape, stride: c.stride, padding: c.padding)
        let n = g.outPixels
        var y = [Double](repeating: 0, count: c.b * c.cout * n)
        for b in 0..<c.b { for co in 0..<c.cout { for p in 0..<n { y[(b * c.cout + co) * n + p] = Double(bias.pointer[co]) } } }
        var dx = [Double](repeating: 0, count: x.count), dw = [Double](repeating: 0, count: w.count)
        forEachTerm(c) { b, co, oy, ox, ci, i, j, xi in
            let o = (b * c.cout + co) * n + oy * g.outWidth + ox
            let wi = ((co * c.cin + ci) * c.kh + i) * c.kw + j
            y[o] += Double(w.pointer[wi]) * Double(x.pointer[xi])
            dx[xi] += Double(w.pointer[wi]) * Double(dy.pointer[o])
            dw[wi] += Double(x.pointer[xi]) * Double(dy.pointer[o])
        }
        return (y, dx, dw)
    }

    func testForwardAndBackwardMatchDirectConvolution() {
        for (index, c) in cases.enumerated() {
            let (x, w, bias, g, dy) = inputs(c, streams: 1)
            let n = g.outPixels
            let (y, dx, dw) = directConvolution(c, x: x, weight: w, bias: bias, gradOut: dy)
            var db = [Double](repeating: 0, count: c.cout)
            for b in 0..<c.b { for co in 0..<c.cout { for p in 0..<n { db[co] += Double(dy.pointer[(b * c.cout + co) * n + p]) } } }

            for run in Set([1, 2, c.b, Conv2dKernel.samplesPerGemm(g)]) where run <= c.b {
                let what = "case \(index) \(g), \(run) samples per GEMM"
                let out = Conv2dKernel.forward(x, weight: w, bias: bias, stride: c.stride, padding: c.padding, samplesPerGemm: run)
                XCTAssertEqual(out.shape, g.outputShape, what)
                check(out, y, "forward " + what)
                let noBias = Conv2dKernel.forward(x, weight: w, bias: nil, stride: c.stride, padding: c.padding, samplesPerGemm: run)
                check(noBias, (0..<y.count).map { y[$0] - Double(bias.pointer[($0 / n) % c.cout]) }, "forward without bias " + what)
                let (gx, gw) = Conv2dKernel.backward(dy, input: x, weight: w, stride: c.stride, padding: c.padding,
                                                     samplesPerGemm: run)
                check(gx!, dx, "input gradient " + what)
                check(gw!, dw, "weight gradient " + what)
            }
            check(Conv2dKernel.backwardInput(dy, input: x, weight: w, stride: c.stride, padding: c.padding), dx, "backwardInput case \(index)")
            check(Conv2dKernel.backwardWeight(dy, input: x, weight: w, stride: c.stride, padding: c.padding), dw, "backwardWeight case \(index)")
            check(Conv2dKernel.backwardBias(dy), db, "bias gradient case \(index)")
        }
    }

    /// Convolutions large enough to be split over workers, each taking whole runs of samples
    /// with single-threaded GEMMs (what the executables run, OpenBLAS at one thread), against
    /// the direct convolution: 3x3 stride 1, 3x3 stride 2 and pointwise, several run sizes.
    func testRunsSplitOverWorkersMatchDirectConvolution() {
        let saved = Gemm.threads
        defer { Gemm.setThreads(saved) }
        Gemm.setThreads(1)
        let big = [
            Case(b: 4, cin: 8, h: 12, w: 12, cout: 16, kh: 3, kw: 3, stride: 1, padding: 1),
            Case(b: 5, cin: 16, h: 16, w: 16, cout: 16, kh: 3, kw: 3, stride: 2, padding: 1),
            Case(b: 4, cin: 32, h: 12, w: 12, cout: 32, kh: 1, kw: 1, stride: 1, padding: 0),
        ]
        for (index, c) in big.enumerated() {
            let (x, w, bias, g, dy) = inputs(c, streams: 5)
            let n = g.outPixels
            let (y, dx, dw) = directConvolution(c, x: x, weight: w, bias: bias, gradOut: dy)
            for run in [1, 2, 3] {
                let runs = (c.b + run - 1) / run
                if Parallel.threads > 1 {
                    XCTAssertGreaterThan(Conv2dKernel.runWorkers(runs: runs, multiplyAdds: c.b * n * g.patchSize * c.cout), 1,
                                         "case \(index) must exercise the split over workers")
                }
                let what = "case \(index) \(g), \(run) samples per GEMM"
                check(Conv2dKernel.forward(x, weight: w, bias: bias, stride: c.stride, padding: c.padding, samplesPerGemm: run),
                      y, "forward " + what)
                let (gx, gw) = Conv2dKernel.backward(dy, input: x, weight: w, stride: c.stride, padding: c.padding,
                                                     samplesPerGemm: run)
                check(gx!, dx, "input gradient " + what)
                check(gw!, dw, "weight gradient " + what)
            }
        }
    }

    func testGeometry() {
        let g = Conv2dGeometry(input: [2, 3, 7, 5], weight: [4, 3, 3, 3], stride: 2, padding: 1)
        XCTAssertEqual(g.outputShape, [2, 4, 4, 3])
        XCTAssertEqual(g.patchSize, 27)
        XCTAssertFalse(g.isPointwise)
        XCTAssertTrue(Conv2dGeometry(input: [1, 3, 4, 4], weight: [2, 3, 1, 1], stride: 1, padding: 0).isPointwise)
    }

    func testSamplesPerGemmFoldsSmallImagesAndStaysWithinTheBatch() {
        let small = Conv2dGeometry(input: [8, 256, 4, 4], weight: [256, 256, 3, 3], stride: 1, padding: 1)
        XCTAssertEqual(Conv2dKernel.samplesPerGemm(small), 8)
        let pointwise = Conv2dGeometry(input: [8, 256, 8, 8], weight: [256, 256, 1, 1], stride: 1, padding: 0)
        XCTAssertEqual(Conv2dKernel.samplesPerGemm(pointwise), 1)
        let tinyPointwise = Conv2dGeometry(input: [8, 256, 4, 4], weight: [256, 256, 1, 1], stride: 1, padding: 0)
        XCTAssertEqual(Conv2dKernel.samplesPerGemm(tinyPointwise), 8)
        let large = Conv2dGeometry(input: [8, 3, 128, 128], weight: [8, 3, 3, 3], stride: 1, padding: 1)
        XCTAssertEqual(Conv2dKernel.samplesPerGemm(large), 1)
        let big = Conv2dGeometry(input: [64, 1024, 8, 8], weight: [8, 1024, 3, 3], stride: 1, padding: 1)
        XCTAssertLessThanOrEqual(big.patchSize * big.outPixels * Conv2dKernel.samplesPerGemm(big), Conv2dKernel.maxWorkspace)
    }
}
