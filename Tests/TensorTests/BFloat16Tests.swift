import XCTest
@testable import Tensor

/// bf16 rounding, the emulated bf16 convolution and matrix products against fp32, the weight
/// cache, and the choice of precision on this CPU (with the fp32 fallback where it has no bf16
/// instructions).
final class BFloat16Tests: XCTestCase {
    override func tearDown() {
        MixedPrecision.set(.fp32)
        super.tearDown()
    }

    func testRoundingToNearestEvenOnKnownBitPatterns() {
        func bits(_ pattern: UInt32) -> UInt16 { BFloat16.bits(Float(bitPattern: pattern)) }
        XCTAssertEqual(BFloat16.bits(1), 0x3F80)
        XCTAssertEqual(BFloat16.bits(-2.5), 0xC020)
        XCTAssertEqual(bits(0x3F80_7FFF), 0x3F80, "below half an ulp rounds down")
        XCTAssertEqual(bits(0x3F80_8000), 0x3F80, "a tie rounds to the even 0x3F80")
        XCTAssertEqual(bits(0x3F81_8000), 0x3F82, "a tie rounds to the even 0x3F82")
        XCTAssertEqual(bits(0x3F80_8001), 0x3F81, "above half an ulp rounds up")
        XCTAssertEqual(bits(0xBF80_C000), 0xBF81, "negative values round by magnitude")
        XCTAssertEqual(bits(0x3FFF_FFFF), 0x4000, "rounding carries into the exponent")
        XCTAssertEqual(bits(0x0000_0001), 0x0000, "the smallest subnormal rounds to zero")
        XCTAssertEqual(bits(0x7F7F_FFFF), 0x7F80, "Float.greatestFiniteMagnitude rounds to infinity")
        XCTAssertEqual(BFloat16.bits(.infinity), 0x7F80)
        XCTAssertEqual(BFloat16.bits(-.infinity), 0xFF80)
        XCTAssertEqual(BFloat16.float(0x3F80), 1)
        XCTAssertEqual(BFloat16.float(0xC020), -2.5)
    }

    func testNaNStaysNaNAndKeepsItsSign() {
        for pattern: UInt32 in [0x7FC0_0000, 0x7F80_0001, 0x7FFF_FFFF, 0xFF80_0001] {
            let r = BFloat16.rounded(Float(bitPattern: pattern))
            XCTAssertTrue(r.isNaN, "NaN 0x\(String(pattern, radix: 16)) must stay NaN, got \(r)")
            XCTAssertEqual(r.sign, Float(bitPattern: pattern).sign)
        }
    }

    func testRoundedValuesAreWithinHalfAnUlpAndIdempotent() {
        let x = randomTensor([4096], seed: 3)
        let r = x.roundedToBF16()
        for i in 0..<x.count {
            let (a, b) = (x.pointer[i], r.pointer[i])
            XCTAssertEqual(b.bitPattern & 0xFFFF, 0, "low 16 bits are zero")
            XCTAssertLessThanOrEqual(abs(a - b), abs(a) * 0x1p-8 + .leastNormalMagnitude)
            XCTAssertEqual(BFloat16.rounded(b), b)
        }
    }

    /// The largest |a - b| over the largest |b|.
    func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
        XCTAssertEqual(a.shape, b.shape)
        var worst: Float = 0, scale: Float = 0
        for i in 0..<a.count {
            worst = max(worst, abs(a.pointer[i] - b.pointer[i]))
            scale = max(scale, abs(b.pointer[i]))
        }
        return worst / max(scale, .leastNormalMagnitude)
    }

    func assertIdentical(_ a: Tensor, _ b: Tensor, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, what, file: file, line: line)
        XCTAssertEqual(a.scalars.map(\.bitPattern), b.scalars.map(\.bitPattern), what, file: file, line: line)
    }

    func testEmulatedConvolutionIsFP32OnRoundedOperandsWithinBF16OfFP32() {
        let x = randomTensor([3, 8, 7, 7], seed: 1), w = randomTensor([6, 8, 3, 3], seed: 2)
        let bias = randomTensor([6], seed: 3), dy = randomTensor([3, 6, 7, 7], seed: 4)
        let y32 = Conv2dKernel.forward(x, weight: w, bias: bias, padding: 1)
        let (dx32, dw32) = Conv2dKernel.backward(dy, input: x, weight: w, padding: 1)
        let yR = Conv2dKernel.forward(x.roundedToBF16(), weight: w.roundedToBF16(), bias: bias, padding: 1)
        let (dxR, dwR) = Conv2dKernel.backward(dy.roundedToBF16(), input: x.roundedToBF16(), weight: w.roundedToBF16(), padding: 1)

        MixedPrecision.set(.bf16Emulated)
        let y16 = Conv2dKernel.forward(x, weight: w, bias: bias, padding: 1)
        let (dx16, dw16) = Conv2dKernel.backward(dy, input: x, weight: w, padding: 1)
        MixedPrecision.set(.fp32)

        for (a, r, f, what) in [(y16, yR, y32, "y"), (dx16!, dxR!, dx32!, "dx"), (dw16!, dwR!, dw32!, "dW")] {
            assertIdentical(a, r, "\(what): emulation is the fp32 kernel on bf16-rounded operands")
            let e = relativeError(a, f)
            XCTAssertLessThan(e, 1e-2, "\(what) within bf16 precision of fp32")
            XCTAssertGreaterThan(e, 1e-6, "\(what) differs from fp32 (the operands were rounded)")
        }
    }

    func testEmulatedMatrixProductsAreFP32OnRoundedOperands() {
        let a = randomTensor([5, 32], seed: 5), b = randomTensor([7, 32], seed: 6), bias = randomTensor([7], seed: 7)
        let p = randomTensor([2, 16, 9], seed: 8), q = randomTensor([2, 16, 11], seed: 9)
        let lin32 = LinearKernel.forward(a, weight: b, bias: bias)
        let linR = LinearKernel.forward(a.roundedToBF16(), weight: b.roundedToBF16(), bias: bias)
        let bmm32 = BatchedMatmulKernel.bmm(p, q, transposeA: true)
        let bmmR = BatchedMatmulKernel.bmm(p.roundedToBF16(), q.roundedToBF16(), transposeA: true)
        let gradR = MatmulKernel.gradients(lin32.roundedToBF16(), a.roundedToBF16(), b.roundedToBF16(), transposeA: false, transposeB: true)

        MixedPrecision.set(.bf16Emulated)
        let lin16 = LinearKernel.forward(a, weight: b, bias: bias)
        let bmm16 = BatchedMatmulKernel.bmm(p, q, transposeA: true)
        let grad16 = MatmulKernel.gradients(lin32, a, b, transposeA: false, transposeB: true)
        MixedPrecision.set(.fp32)

        assertIdentical(lin16, linR, "linear")
        assertIdentical(bmm16, bmmR, "bmm")
        assertIdentical(grad16.a!, gradR.a!, "dA")
        assertIdentical(grad16.b!, gradR.b!, "dB")
        XCTAssertLessThan(relativeError(lin16, lin32), 1e-2)
        XCTAssertLessThan(relativeError(bmm16, bmm32), 1e-2)
    }

    func testWeightsAreConvertedOncePerStepAndAgainAfterAnUpdate() {
        let flat = Tensor(zeros: [40])
        flat.storage.versioned = true
        for i in 0..<40 { flat.pointer[i] = Float(i) * 1.001 }
        let w = Tensor(shape: [4, 5], storage: flat.storage, offset: 10)
        let x = randomTensor([3, 5], seed: 10)
        let cache = BF16WeightCache.shared
        MixedPrecision.set(.bf16Emulated)
        let before = cache.conversions
        let (first, second, third) = cache.step { () -> (Tensor, Tensor, Tensor) in
            let y1 = LinearKernel.forward(x, weight: w, bias: nil)
            let y2 = LinearKernel.forward(x, weight: w, bias: nil)
            // x is converted on each call, w once (2 + 1 conversions).
            XCTAssertEqual(cache.conversions - before, 3)
            flat.pointer[10] = 1000
            flat.storage.markModified()
            let y3 = LinearKernel.forward(x, weight: w, bias: nil)
            XCTAssertEqual(cache.conversions - before, 5, "a new version converts the weight again")
            return (y1, y2, y3)
        }
        assertIdentical(first, second, "the cached copy gives the same product")
        XCTAssertNotEqual(first.scalars, third.scalars, "the update is seen")
        let outside = cache.conversions
        _ = LinearKernel.forward(x, weight: w, bias: nil)
        _ = LinearKernel.forward(x, weight: w, bias: nil)
        XCTAssertEqual(cache.conversions - outside, 4, "outside a step nothing is cached")
    }

    func testResolutionFallsBackToFP32WithOneLineNotice() throws {
        let none = try MixedPrecision.resolve(.bf16, environment: [:], cpuHasBF16: false, oneDNNHasBF16: { XCTFail("not probed"); return true })
        XCTAssertEqual(none.mode, .fp32)
        let notice = try XCTUnwrap(none.notice)
        XCTAssertTrue(notice.contains("has no avx512_bf16/amx_bf16: running in fp32"), notice)
        XCTAssertFalse(notice.contains("\n"))
        let noPrimitive = try MixedPrecision.resolve(.bf16, environment: [:], cpuHasBF16: true, oneDNNHasBF16: { false })
        XCTAssertEqual(noPrimitive.mode, .fp32)
        XCTAssertTrue(noPrimitive.notice?.contains("oneDNN") ?? false)
        XCTAssertEqual(try MixedPrecision.resolve(.bf16, environment: [:], cpuHasBF16: true, oneDNNHasBF16: { true }),
                       .init(mode: .bf16, notice: nil))
        XCTAssertEqual(try MixedPrecision.resolve(.bf16, environment: ["DIFFUSE_BF16": "emulate"], cpuHasBF16: false).mode, .bf16Emulated)
        XCTAssertEqual(try MixedPrecision.resolve(.fp32, environment: ["DIFFUSE_BF16": "emulate"], cpuHasBF16: false),
                       .init(mode: .fp32, notice: nil))
        XCTAssertThrowsError(try MixedPrecision.resolve(.bf16, environment: ["DIFFUSE_BF16": "yes"])) {
            XCTAssertTrue("\($0)".contains("DIFFUSE_BF16=yes"))
        }
    }

    /// On this machine: bf16 runs natively exactly when the CPU has bf16 instructions and oneDNN
    /// builds the primitives; elsewhere a bf16 request runs fp32, and the kernels asked for
    /// bf16 without the primitives compute fp32 rather than fail.
    func testThisCPUGetsBF16OnlyWithBF16InstructionsAndOtherwiseFP32() throws {
        let r = try MixedPrecision.resolve(.bf16, environment: [:])
        XCTAssertEqual(r.mode, CPUFeatures.bf16 && OneDNNBF16.available ? .bf16 : .fp32)
        XCTAssertEqual(r.notice == nil, r.mode == .bf16)
        let g = Conv2dGeometry(batch: 2, inChannels: 8, height: 6, width: 6, outChannels: 8, kernelHeight: 3, kernelWidth: 3, padding: 1)
        if !CPUFeatures.bf16 {
            // oneDNN 2.6.3 has no bf16 kernels without AVX512_BF16 / AMX-BF16 (dnnl_unimplemented).
            XCTAssertFalse(OneDNNBF16.available)
            XCTAssertFalse(ConvAlgorithm.onednnBF16.applies(to: g, .forward))
            XCTAssertFalse(ConvAlgorithm.candidates(g, .forward, precision: .bf16).contains(.onednnBF16))
        }
        let a = randomTensor([6, 24], seed: 11), b = randomTensor([24, 5], seed: 12)
        let fp32 = MatmulKernel.matmul(a, b)
        let rounded = MatmulKernel.matmul(a.roundedToBF16(), b.roundedToBF16())
        MixedPrecision.set(.bf16)
        let asked = MatmulKernel.matmul(a, b)
        MixedPrecision.set(.fp32)
        if OneDNNBF16.available {
            XCTAssertLessThan(relativeError(asked, rounded), 1e-5, "oneDNN bf16 matmul matches the emulation")
        } else {
            assertIdentical(asked, fp32, "without bf16 primitives the product is fp32")
        }
    }

    func testNativeBF16ConvolutionMatchesEmulationWhereTheCPUHasIt() throws {
        let x = randomTensor([2, 16, 8, 8], seed: 13), w = randomTensor([16, 16, 3, 3], seed: 14), dy = randomTensor([2, 16, 8, 8], seed: 15)
        let g = Conv2dGeometry(input: x.shape, weight: w.shape, stride: 1, padding: 1)
        guard OneDNNConv.supports(g, .forward, precision: .bf16) else {
            XCTAssertFalse(CPUFeatures.bf16 && OneDNNBF16.available, "the probe agrees that there is no bf16 primitive")
            XCTAssertNil(OneDNNConv.plan(g, .inputGradient, slot: 0, precision: .bf16))
            return
        }
        let (xr, wr, dyr) = (x.roundedToBF16(), w.roundedToBF16(), dy.roundedToBF16())
        let pairs: [(Tensor, Tensor)] = [
            (OneDNNConv.forward(x, weight: w, bias: nil, geometry: g, precision: .bf16), OneDNNConv.forward(xr, weight: wr, bias: nil, geometry: g)),
            (OneDNNConv.inputGradient(dy, weight: w, geometry: g, precision: .bf16), OneDNNConv.inputGradient(dyr, weight: wr, geometry: g)),
            (OneDNNConv.weightGradient(dy, input: x, geometry: g, precision: .bf16), OneDNNConv.weightGradient(dyr, input: xr, geometry: g)),
        ]
        for (native, emulated) in pairs { XCTAssertLessThan(relativeError(native, emulated), 1e-5) }
    }
}

/// The bf16 flags read by cpuid agree with the kernel's, and bf16 decisions of the autotuner
/// are kept apart from fp32's.
final class BF16CapabilityTests: XCTestCase {
    func testCPUIDFlagsAgreeWithProcCPUInfo() {
        let flags = Set(KernelCache.cpuModelAndFlags().flags.split(separator: " ").map(String.init))
        XCTAssertEqual(CPUFeatures.avx512BF16, flags.contains("avx512_bf16"), "cpuid (7,1):EAX[5] vs /proc/cpuinfo")
        XCTAssertEqual(CPUFeatures.amxBF16, flags.contains("amx_bf16"), "cpuid (7,0):EDX[22] vs /proc/cpuinfo")
        XCTAssertEqual(CPUFeatures.bf16, flags.contains("avx512_bf16") || flags.contains("amx_bf16"))
    }

    func testBF16DecisionsHaveTheirOwnKeysAndNames() {
        let g = Conv2dGeometry(batch: 4, inChannels: 8, height: 6, width: 6, outChannels: 8, kernelHeight: 3, kernelWidth: 3, padding: 1)
        let fp32 = ConvAutotuner.key(g, .forward, precision: .fp32), bf16 = ConvAutotuner.key(g, .forward, precision: .bf16)
        XCTAssertEqual(bf16, "bf16 " + fp32)
        XCTAssertEqual(ConvAutotuner.key(g, .forward), fp32, "fp32 (the mode here) keeps the keys of earlier versions")
        XCTAssertEqual(ConvAlgorithm("onednn-bf16"), .onednnBF16)
        XCTAssertEqual(ConvAlgorithm.onednnBF16.description, "onednn-bf16")
        // On a tuner adopting rank 0's bf16 decisions, a bf16 name is kept as it is.
        let tuner = ConvAutotuner(mode: .auto, cache: nil)
        tuner.adopt([bf16: "onednn-bf16"])
        XCTAssertEqual(tuner.decisions()[bf16], "onednn-bf16")
    }
}
