import XCTest
@testable import Tensor

/// Every convolution algorithm the autotuner may choose (im2col with several runs of samples,
/// Winograd, oneDNN), for every pass, against the direct convolution of `Conv2dKernelTests`.
final class ConvAlgorithmTests: XCTestCase {
    /// The direct convolution and the tolerance check of `Conv2dKernelTests` (whose failures
    /// are recorded against the test that is running).
    let reference = Conv2dKernelTests(name: "reference", testClosure: { _ in })

    /// The kernel tests' shapes plus larger ones: channels that oneDNN blocks by 8 (with and
    /// without a remainder), batches split over workers, stride 2, pointwise, Winograd's tiles.
    var cases: [Conv2dKernelTests.Case] {
        typealias Case = Conv2dKernelTests.Case
        let larger: [Case] = [
            Case(b: 3, cin: 16, h: 9, w: 9, cout: 24, kh: 3, kw: 3, stride: 1, padding: 1),
            Case(b: 4, cin: 12, h: 10, w: 10, cout: 8, kh: 3, kw: 3, stride: 2, padding: 1),
            Case(b: 5, cin: 32, h: 6, w: 6, cout: 40, kh: 1, kw: 1, stride: 1, padding: 0),
            Case(b: 1, cin: 8, h: 7, w: 7, cout: 16, kh: 3, kw: 3, stride: 1, padding: 1),
        ]
        return reference.cases + larger
    }

    func testEveryCandidateOfEveryPassMatchesDirectConvolution() {
        XCTAssertTrue(OneDNNConv.available, "oneDNN's CPU engine must be available")
        var outputs: [Tensor] = []   // kept alive: no result reuses a pool buffer that already holds the answer
        var seen: Set<String> = []
        for (index, c) in cases.enumerated() {
            let (x, w, bias, g, dy) = reference.inputs(c, streams: 11)
            let (y, dx, dw) = reference.directConvolution(c, x: x, weight: w, bias: bias, gradOut: dy)
            for pass in ConvPass.allCases {
                let candidates = ConvAlgorithm.candidates(g, pass)
                XCTAssertEqual(candidates.first, ConvAlgorithm.rule(g, pass), "the rule's choice is timed first")
                XCTAssertTrue(candidates.contains(ConvAlgorithm.onednn), "oneDNN has every pass of case \(index) \(g)")
                for a in candidates {
                    seen.insert("\(pass.rawValue) \(a)")
                    let what = "case \(index) \(g) \(pass) by \(a)"
                    let out: Tensor
                    switch pass {
                    case .forward:
                        out = Conv2dKernel.forward(x, weight: w, bias: bias, geometry: g, algorithm: a)
                        XCTAssertEqual(out.shape, g.outputShape, what)
                        reference.check(out, y, what)
                    case .inputGradient:
                        out = Conv2dKernel.inputGradient(dy, input: x, weight: w, geometry: g, algorithm: a)
                        XCTAssertEqual(out.shape, g.inputShape, what)
                        reference.check(out, dx, what)
                    case .weightGradient:
                        out = Conv2dKernel.weightGradient(dy, input: x, weight: w, geometry: g, algorithm: a)
                        XCTAssertEqual(out.shape, g.weightShape, what)
                        reference.check(out, dw, what)
                    }
                    outputs.append(out)
                }
            }
            // oneDNN without a bias adds none.
            let noBias = OneDNNConv.forward(x, weight: w, bias: nil, geometry: g)
            let n = g.outPixels
            reference.check(noBias, (0..<y.count).map { y[$0] - Double(bias.pointer[($0 / n) % c.cout]) }, "case \(index) oneDNN without bias")
            outputs.append(noBias)
        }
        for expected in ["forward winograd", "input-gradient winograd", "forward onednn", "input-gradient onednn",
                         "weight-gradient onednn", "forward im2col:1", "weight-gradient im2col:1"] {
            XCTAssertTrue(seen.contains(expected), "the cases must exercise \(expected)")
        }
    }

    /// The default entry points (no explicit algorithm) run what the autotuner decided and
    /// match the direct convolution, also through the combined backward call.
    func testDefaultEntryPointsFollowTheTuner() {
        let c = Conv2dKernelTests.Case(b: 4, cin: 16, h: 12, w: 12, cout: 16, kh: 3, kw: 3, stride: 2, padding: 1)
        let (x, w, bias, g, dy) = reference.inputs(c, streams: 21)
        let (y, dx, dw) = reference.directConvolution(c, x: x, weight: w, bias: bias, gradOut: dy)
        reference.check(Conv2dKernel.forward(x, weight: w, bias: bias, stride: 2, padding: 1), y, "forward")
        let (gx, gw) = Conv2dKernel.backward(dy, input: x, weight: w, stride: 2, padding: 1)
        reference.check(gx!, dx, "input gradient")
        reference.check(gw!, dw, "weight gradient")
        XCTAssertNotNil(ConvAutotuner.shared.decisions()[ConvAutotuner.key(g, .forward)], "the forward pass was decided")
    }

    func testAlgorithmNamesRoundTrip() {
        for a: ConvAlgorithm in [.im2col(samplesPerGemm: nil), .im2col(samplesPerGemm: 4), .winograd, .onednn] {
            XCTAssertEqual(ConvAlgorithm(a.description), a)
        }
        for bad in ["", "im2col:0", "im2col:x", "gemm", "im2col:2:3"] { XCTAssertNil(ConvAlgorithm(bad), bad) }
    }

    func testWinogradHasNoWeightGradientAndNeedsStrideOne3x3() {
        let g = Conv2dGeometry(batch: 2, inChannels: 8, height: 8, width: 8, outChannels: 8, kernelHeight: 3, kernelWidth: 3,
                               stride: 1, padding: 1)
        XCTAssertTrue(ConvAlgorithm.winograd.applies(to: g, .forward))
        XCTAssertTrue(ConvAlgorithm.winograd.applies(to: g, .inputGradient))
        XCTAssertFalse(ConvAlgorithm.winograd.applies(to: g, .weightGradient))
        var strided = g
        strided.stride = 2
        XCTAssertFalse(ConvAlgorithm.winograd.applies(to: strided, .forward))
        XCTAssertFalse(ConvAlgorithm.candidates(strided, .forward).contains(.winograd))
    }
}
