import Autograd
import Foundation
import HDF5
@testable import NN
import Tensor
import XCTest

/// Writes the file that tools/compare_unet.py feeds to the PyTorch UNet: root attribute
/// `unet_config` (UNetConfig JSON), `/model` weights, input `x`, conditioning `c`, output `y`.
/// By default a tiny model goes to a temporary file and the test checks the file reproduces
/// the output; with `DIFFUSE_WRITE_REFERENCE=path` the mnist-config model goes to `path`,
/// after `DIFFUSE_REFERENCE_TRAIN_STEPS` Adam steps (default 0) of denoising `x` with dropout on;
/// `DIFFUSE_REFERENCE_CONFIG=cifar-small` or `default` (32x32 RGB) picks another config, and
/// `DIFFUSE_REFERENCE_NUM_CLASSES=K` makes it class-conditional (the tiny default model has 3
/// classes). A class-conditional file also holds the `labels` [B] (as float32): sample 0 is
/// class 1, sample 1 has no label (K).
final class ReferenceFileTests: XCTestCase {
    func testReferenceFileForPyTorchComparison() throws {
        let requested = ProcessInfo.processInfo.environment["DIFFUSE_WRITE_REFERENCE"]
        let path = requested ?? FileManager.default.temporaryDirectory.appendingPathComponent("unet-ref-\(UUID().uuidString).h5").path
        defer { if requested == nil { try? FileManager.default.removeItem(atPath: path) } }
        let named = ["mnist": (UNetConfig.mnist, 28), "cifar-small": (.cifarSmall, 32), "default": (UNetConfig(inChannels: 3), 32)]
        var (config, size) = requested == nil ? (UNetTests.tiny, 4)
            : named[ProcessInfo.processInfo.environment["DIFFUSE_REFERENCE_CONFIG"] ?? "mnist"] ?? (.mnist, 28)
        config.numClasses = requested == nil ? 3 : Int(ProcessInfo.processInfo.environment["DIFFUSE_REFERENCE_NUM_CLASSES"] ?? "0") ?? 0
        let labels: [Int]? = config.numClasses > 0 ? [1, config.numClasses] : nil
        // Every weight perturbed so that no path (zero-initialised convs included) is inactive.
        let (model, set) = UNetTests.randomised(config, seed: 4, scale: 0.05)
        let x = testNormal([2, config.inChannels, size, size], seed: 6)
        let c = Tensor(shape: [2], values: [-2.5, 1.7])
        let trainSteps = requested == nil ? 1 : Int(ProcessInfo.processInfo.environment["DIFFUSE_REFERENCE_TRAIN_STEPS"] ?? "0") ?? 0
        let adam = Adam(set)
        let noisy = Variable(x.zipMap(testNormal(x.shape, seed: 8, scale: 0.3), +))
        for step in 0..<trainSteps {
            set.zeroGrad()
            let context = ForwardContext(training: true, rng: CounterRNG(seed: 3), step: UInt32(step), labels: labels)
            mean(square(model.forward(noisy, Variable(c), context: context) - Variable(x))).backward()
            adam.step()
        }
        let inference = ForwardContext(training: false, labels: labels)
        let y = withNoGrad { model.forward(Variable(x), Variable(c), context: inference) }.value

        do {
            let file = try H5File.create(path)
            try file.setAttribute("unet_config", String(decoding: try JSONEncoder().encode(config), as: UTF8.self))
            try model.save(to: try file.createGroup("model"))
            let labelTensor = labels.map { Tensor(shape: [$0.count], values: $0.map(Float.init)) }
            for (name, t) in [("x", x), ("c", c), ("y", y)] + (labelTensor.map { [("labels", $0)] } ?? []) {
                try t.withUnsafeBufferPointer { try file.createDataset(name, from: $0, shape: t.shape) }
            }
            try file.close()
        }

        let file = try H5File.open(path)
        let stored = try JSONDecoder().decode(UNetConfig.self, from: Data(try file.stringAttribute("unet_config").utf8))
        XCTAssertEqual(stored, config)
        let reloaded = UNet(stored, seed: 1234)
        try reloaded.load(from: try file.group(named: "model"))
        let xs = Tensor(shape: x.shape, values: try file.dataset(named: "x").read(as: Float.self))
        let cs = Tensor(shape: [2], values: try file.dataset(named: "c").read(as: Float.self))
        let storedLabels = try labels.map { _ in try file.dataset(named: "labels").read(as: Float.self).map { Int($0) } }
        XCTAssertEqual(storedLabels, labels)
        let again = withNoGrad { reloaded.forward(Variable(xs), Variable(cs), context: ForwardContext(training: false, labels: storedLabels)) }.value
        XCTAssertEqual(try file.dataset(named: "y").read(as: Float.self), again.scalars)
        XCTAssertGreaterThan(again.scalars.map(abs).max()!, 1e-3, "a non-trivial output to compare")
        try file.close()
    }
}
