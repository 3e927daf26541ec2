import Autograd
import Foundation
import HDF5
@testable import NN
import Tensor
import XCTest

final class UNetTests: XCTestCase {
    /// Two depths, attention at the lower one, a skip conv on every channel change.
    static let tiny = UNetConfig(inChannels: 2, channelsPerDepth: [4, 8], numBlocks: 1, attentionDepths: [1],
                                 posDim: 8, embDim: 8, numGroups: 2, dropout: 0)

    /// Replaces every weight with init + noise, so that no path is zero and gradients flow everywhere.
    static func randomised(_ config: UNetConfig, seed: UInt64 = 1, scale: Float = 0.2) -> (UNet, ParameterSet) {
        let model = UNet(config, seed: seed)
        let set = ParameterSet(model)
        set.values.addInPlace(testNormal([set.count], seed: seed + 100, scale: scale))
        return (model, set)
    }

    func testParameterCountsOfTheSpecsConfigs() {
        XCTAssertEqual(UNet(.mnist, seed: 0).parameterCount, 3_939_393)
        XCTAssertEqual(UNet(.cifarSmall, seed: 0).parameterCount, 15_724_931)
        XCTAssertEqual(UNet(UNetConfig(inChannels: 3), seed: 0).parameterCount, 35_746_307)
    }

    func testNamesAndLayoutsFollowTheSpec() {
        let model = UNet(Self.tiny, seed: 0)
        let shapes = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.variable.shape) })
        XCTAssertEqual(shapes.count, model.namedParameters.count)
        let expected: [String: [Int]] = [
            "time_mlp.0.weight": [8, 8], "time_mlp.2.bias": [8],
            "input_conv.weight": [4, 2, 3, 3],
            "down.0.blocks.0.norm1.weight": [4], "down.0.blocks.0.conv1.weight": [4, 4, 3, 3],
            "down.0.blocks.0.emb_proj.weight": [4, 8], "down.0.blocks.0.conv2.bias": [4],
            "down.0.downsample.weight": [4, 4, 3, 3],
            "down.1.blocks.0.skip.weight": [8, 4, 1, 1], "down.1.blocks.0.attn.qkv.weight": [24, 8, 1, 1],
            "down.1.blocks.0.attn.proj.weight": [8, 8, 1, 1], "down.1.blocks.0.attn.norm.bias": [8],
            "mid.block1.attn.qkv.bias": [24], "mid.block2.conv1.weight": [8, 8, 3, 3],
            "up.1.blocks.0.conv1.weight": [8, 16, 3, 3], "up.1.blocks.0.skip.weight": [8, 16, 1, 1],
            "up.1.blocks.1.norm1.weight": [12], "up.1.blocks.1.attn.proj.bias": [8],
            "up.1.upsample.weight": [8, 8, 3, 3],
            "up.0.blocks.0.conv1.weight": [4, 12, 3, 3], "up.0.blocks.1.skip.weight": [4, 8, 1, 1],
            "out_norm.weight": [4], "out_conv.weight": [2, 4, 3, 3], "out_conv.bias": [2],
        ]
        for (name, shape) in expected { XCTAssertEqual(shapes[name], shape, name) }
        for absent in ["down.0.blocks.0.skip.weight", "mid.block2.attn.qkv.weight", "down.1.downsample.weight",
                       "up.0.upsample.weight", "down.0.blocks.0.attn.qkv.weight"] {
            XCTAssertNil(shapes[absent], absent)
        }
        XCTAssertEqual(model.outConv.weight.name, "out_conv.weight")
        XCTAssertEqual(model.midBlock1.attn?.qkv.weight.name, "mid.block1.attn.qkv.weight")
    }

    func testInitialisationIsSeededAndZeroWhereTheSpecSays() {
        let a = UNet(Self.tiny, seed: 7), b = UNet(Self.tiny, seed: 7), c = UNet(Self.tiny, seed: 8)
        XCTAssertEqual(ParameterSet(a).values.scalars, ParameterSet(b).values.scalars)
        XCTAssertNotEqual(ParameterSet(a).values.scalars, ParameterSet(c).values.scalars)
        for (name, v) in a.namedParameters {
            let values = v.value.scalars
            if name.contains("conv2.") || name.contains("attn.proj.") || name.hasPrefix("out_conv.") {
                XCTAssertTrue(values.allSatisfy { $0 == 0 }, name)
            } else if name.contains("norm") {
                XCTAssertTrue(values.allSatisfy { $0 == (name.hasSuffix(".weight") ? 1 : 0) }, name)
            } else {
                let fanIn = name.hasSuffix(".bias") ? nil : v.shape.dropFirst().reduce(1, *)
                if let fanIn {
                    let bound = 1 / Float(fanIn).squareRoot()
                    XCTAssertTrue(values.allSatisfy { abs($0) < bound }, name)
                    XCTAssertGreaterThan(values.map(abs).max()!, bound / 4, name)
                }
            }
        }
    }

    func testFreshUNetOutputsExactlyZero() {
        let model = UNet(Self.tiny, seed: 3)
        let x = testNormal([2, 2, 4, 4])
        let y = model.forward(Variable(x), Variable(Tensor(shape: [2], values: [-2, 3])), context: .inference)
        XCTAssertEqual(y.shape, [2, 2, 4, 4])
        XCTAssertEqual(y.value.scalars, [Float](repeating: 0, count: 64))
        // A scalar conditioning value (as samplers pass it) works too.
        let z = model.forward(Variable(x), Variable(Tensor(scalar: 0.5)), context: .inference)
        XCTAssertEqual(z.value.scalars, [Float](repeating: 0, count: 64))
    }

    func testInputAndParameterGradientsMatchFiniteDifferences() {
        let (model, set) = Self.randomised(Self.tiny)
        let x = testNormal([2, 2, 4, 4], seed: 5)
        let c = Tensor(shape: [2], values: [-1, 1.5])
        let input = GradientCheck.check(inputs: [x, c], maxElements: 24) { model.forward($0[0], $0[1], context: .inference) }
        XCTAssertLessThan(input.maxRelativeError, 2e-2, "\(input)")

        let names = ["time_mlp.0.weight", "input_conv.weight", "down.0.blocks.0.conv2.weight", "down.1.blocks.0.attn.qkv.weight",
                     "down.1.blocks.0.attn.proj.bias", "mid.block1.emb_proj.weight", "up.1.blocks.0.skip.weight",
                     "up.1.upsample.bias", "up.0.blocks.1.norm1.weight", "out_norm.bias", "out_conv.weight"]
        var indices: [Int] = []
        for name in names {
            let r = set.ranges[set.index(of: name)!]
            indices += [r.offset, r.offset + r.count / 2, r.offset + r.count - 1]
        }
        let xv = Variable(x), cv = Variable(c)
        let e = parameterGradientError(set, indices: indices) { model.forward(xv, cv, context: .inference) }
        XCTAssertLessThan(e.relative, 2e-2, e.worst)
    }

    func testDropoutIsKeyedByContextAndOffInInference() {
        var config = Self.tiny
        config.dropout = 0.5
        let (model, _) = Self.randomised(config)
        let blocks = model.downBlocks.flatMap { $0 } + [model.midBlock1, model.midBlock2] + model.upBlocks.flatMap { $0 }
        XCTAssertEqual(Set(blocks.map(\.dropout.stream)).count, blocks.count, "one dropout stream per layer")
        let x = Variable(testNormal([2, 2, 4, 4])), c = Variable(Tensor(shape: [2], values: [0, 1]))
        let train = ForwardContext(training: true, rng: CounterRNG(seed: 9), step: 4, firstSample: 10)
        let a = withNoGrad { model.forward(x, c, context: train) }.value
        let b = withNoGrad { model.forward(x, c, context: train) }.value
        var other = train
        other.step = 5
        let d = withNoGrad { model.forward(x, c, context: other) }.value
        let e1 = withNoGrad { model.forward(x, c, context: .inference) }.value
        let e2 = withNoGrad { model.forward(x, c, context: ForwardContext(training: false, rng: CounterRNG(seed: 1), step: 3)) }.value
        XCTAssertEqual(a.scalars, b.scalars)
        XCTAssertGreaterThan(a.maxAbsDifference(d), 1e-4)
        XCTAssertGreaterThan(a.maxAbsDifference(e1), 1e-4)
        XCTAssertEqual(e1.scalars, e2.scalars)
    }

    func testTinyUNetOverfitsABatchOfFourImages() {
        let config = UNetConfig(inChannels: 1, channelsPerDepth: [8, 16], numBlocks: 1, attentionDepths: [1],
                                posDim: 8, embDim: 16, numGroups: 4, dropout: 0)
        let model = UNet(config, seed: 2)
        let set = ParameterSet(model)
        let adam = Adam(set, lr: 3e-3)
        // Four 8x8 images with distinct smooth patterns; the model maps noisy versions back.
        let target = Tensor(zeros: [4, 1, 8, 8])
        for n in 0..<4 {
            for i in 0..<8 {
                for j in 0..<8 {
                    target.pointer[n * 64 + i * 8 + j] = Foundation.sin(Float(i) * 0.5 * Float(n + 1)) * Foundation.cos(Float(j) * 0.3 + Float(n))
                }
            }
        }
        let input = target.zipMap(testNormal([4, 1, 8, 8], seed: 21, scale: 0.5), +)
        let x = Variable(input), y = Variable(target), c = Variable(Tensor(shape: [4], values: [-1, 0, 1, 2]))
        var first = 0.0, last = 0.0
        for step in 0..<60 {
            set.zeroGrad()
            let loss = mean(square(model.forward(x, c, context: .inference) - y))
            if step == 0 { first = Double(loss.value.item) }
            last = Double(loss.value.item)
            loss.backward()
            adam.step()
        }
        XCTAssertLessThan(last, first / 10, "loss \(first) -> \(last)")
    }

    func testSaveLoadRoundTripAndMismatchedConfig() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("unet-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (source, _) = Self.randomised(Self.tiny)
        let file = try H5File.create(path)
        try source.save(to: try file.createGroup("model"))
        let target = UNet(Self.tiny, seed: 99)
        try target.load(from: try file.group(named: "model"))
        let x = Variable(testNormal([1, 2, 4, 4])), c = Variable(Tensor(shape: [1], values: [0.3]))
        XCTAssertEqual(source.forward(x, c, context: .inference).value.scalars,
                       target.forward(x, c, context: .inference).value.scalars)

        var other = Self.tiny
        other.channelsPerDepth = [4, 6]
        other.attentionDepths = []
        XCTAssertThrowsError(try UNet(other, seed: 0).load(from: try file.group(named: "model"))) { error in
            guard let e = error as? WeightLoadError else { return XCTFail("\(error)") }
            XCTAssertTrue(e.unexpected.contains("down.1.blocks.0.attn.qkv.weight"), "\(e)")
            XCTAssertTrue(e.misshaped.contains { $0.name == "down.1.blocks.0.conv1.weight" && $0.expected == [6, 4, 3, 3] && $0.found == [8, 4, 3, 3] }, "\(e)")
        }
        try file.close()
    }
}
