import XCTest
@testable import Tensor

/// The autotuner's choice, its modes, its disk cache and the hand-over of decisions between
/// ranks. Timings themselves are not asserted (they belong to `diffuse-bench kernels`).
final class ConvAutotunerTests: XCTestCase {
    let g = Conv2dGeometry(batch: 4, inChannels: 8, height: 10, width: 10, outChannels: 8, kernelHeight: 3, kernelWidth: 3,
                           stride: 1, padding: 1)

    func temporaryCachePath() -> String {
        let folder = NSTemporaryDirectory() + "diffuse-kernel-cache-\(UUID().uuidString)"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        return folder + "/sub/kernels.json"
    }

    func testTheRuleStaysUnlessACandidateIsFasterByTheMargin() {
        let rule = ConvAlgorithm.im2col(samplesPerGemm: nil)
        XCTAssertEqual(ConvAutotuner.fastest([(rule, 1.0), (.onednn, 0.98)], margin: 0.03), rule)
        XCTAssertEqual(ConvAutotuner.fastest([(rule, 1.0), (.onednn, 0.90), (.winograd, 0.95)], margin: 0.03), .onednn)
        XCTAssertEqual(ConvAutotuner.fastest([(rule, 1.0), (.onednn, 1.5)], margin: 0), rule)
    }

    func testMeasuresOnceThenReadsTheCacheInTheNextProcess() throws {
        let path = temporaryCachePath()
        let first = ConvAutotuner(mode: .auto, cache: KernelCache(path: path))
        first.minMeasuredMultiplyAdds = 0
        var lines: [String] = []
        first.report = { lines.append($0) }
        let d = first.decision(g, .forward)
        XCTAssertEqual(d.source, .measured)
        XCTAssertEqual(d.timings.map(\.algorithm), ConvAlgorithm.candidates(g, .forward))
        XCTAssertTrue(d.timings.allSatisfy { $0.seconds > 0 && $0.seconds.isFinite })
        XCTAssertTrue(ConvAlgorithm.candidates(g, .forward).contains(d.algorithm))
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines[0].hasPrefix(ConvAutotuner.key(g, .forward)), lines[0])
        XCTAssertEqual(first.decision(g, .forward).source, .measured, "decided once per process")
        XCTAssertTrue(FileManager.default.fileExists(atPath: path), "the cache file (and its folder) was written")

        let second = ConvAutotuner(mode: .auto, cache: KernelCache(path: path))
        second.minMeasuredMultiplyAdds = 0
        let again = second.decision(g, .forward)
        XCTAssertEqual(again.source, .cache)
        XCTAssertEqual(again.algorithm, d.algorithm)

        // Another machine's signature sees nothing of it.
        let elsewhere = ConvAutotuner(mode: .auto, cache: KernelCache(path: path, signature: "cpu=other"))
        elsewhere.minMeasuredMultiplyAdds = 0
        XCTAssertEqual(elsewhere.decision(g, .forward).source, .measured)
        XCTAssertEqual(KernelCache(path: path).load()[ConvAutotuner.key(g, .forward)], d.algorithm.description,
                       "a second machine's entry keeps the first's")
    }

    func testSmallConvolutionsRunTheRuleUnmeasured() {
        let tuner = ConvAutotuner(mode: .auto, cache: nil)
        let d = tuner.decision(g, .inputGradient)
        XCTAssertEqual(d.source, .small)
        XCTAssertEqual(d.algorithm, ConvAlgorithm.rule(g, .inputGradient))
    }

    func testForcedModes() {
        XCTAssertEqual(ConvAutotuner(mode: .onednn, cache: nil).algorithm(g, .weightGradient), .onednn)
        XCTAssertEqual(ConvAutotuner(mode: .im2col, cache: nil).algorithm(g, .forward), .im2col(samplesPerGemm: nil))
        XCTAssertEqual(ConvAutotuner(mode: .winograd, cache: nil).algorithm(g, .forward), .winograd)
        // Where the forced algorithm does not apply, the rule's choice.
        XCTAssertEqual(ConvAutotuner(mode: .winograd, cache: nil).decision(g, .weightGradient).source, .rule)
        XCTAssertEqual(ConvAutotuner(mode: .rule, cache: nil).algorithm(g, .forward), ConvAlgorithm.rule(g, .forward))
    }

    func testDecisionsHandedToAnotherTunerAreAdopted() {
        let rank0 = ConvAutotuner(mode: .onednn, cache: nil)
        rank0.prepare([g])
        let decisions = rank0.decisions()
        XCTAssertEqual(decisions.count, ConvPass.allCases.count)
        let rank1 = ConvAutotuner(mode: .auto, cache: nil)
        rank1.adopt(decisions.merging(["forward 1x1x1x1 k1x1 s1 p0 o1": "not-an-algorithm"]) { a, _ in a })
        for pass in ConvPass.allCases {
            XCTAssertEqual(rank1.decision(g, pass).source, .adopted)
            XCTAssertEqual(rank1.algorithm(g, pass), .onednn)
        }
        XCTAssertEqual(rank1.decisions().count, ConvPass.allCases.count, "unknown algorithm names are ignored")
    }

    func testCacheFilesThatAreDamagedOrUnwritableAreIgnored() throws {
        let path = temporaryCachePath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(KernelCache(path: path).load(), [:])
        KernelCache(path: path).store(["k": "onednn"])
        XCTAssertEqual(KernelCache(path: path).load(), ["k": "onednn"], "a damaged file is replaced")
        XCTAssertEqual(KernelCache(path: "off").load(), [:])
        KernelCache(path: "/proc/diffuse-cannot-write/kernels.json").store(["k": "onednn"])   // no crash, no error
        XCTAssertTrue(KernelCache.signature().contains("onednn=\(OneDNNConv.version)"))
        XCTAssertTrue(KernelCache.signature().contains("chunks=\(Parallel.chunksPerWorker);"), "timings depend on the chunking")
    }
}
