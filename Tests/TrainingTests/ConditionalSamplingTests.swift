import Data
import Distributed
import Foundation
import HDF5
import Tensor
import XCTest
@testable import Config
@testable import Sampling
@testable import Training

/// Class-conditional checkpoints: `--class`, `--classes`, `--guidance` and their errors, the
/// labels of a training grid, label dropout, and a conditional config on unlabelled data.
final class ConditionalSamplingTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try SampleFixtures.temporaryFolder() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }

    /// The tiny UNet of `SampleFixtures.unetYAML` with the 4 classes of shapes16.
    static let conditionalYAML = SampleFixtures.unetYAML.replacingOccurrences(
        of: "    num_groups: 4\n", with: "    num_groups: 4\n    num_classes: 4\n")

    func sample(_ checkpoint: String, _ configure: (inout SampleOptions) -> Void) throws -> SampleResult {
        var o = SampleOptions(checkpoint: checkpoint)
        configure(&o)
        return try SampleRun.run(o, reporter: SampleFixtures.quietReporter())
    }

    func testClassAndClassesSampleTheRequestedLabels() throws {
        XCTAssertTrue(Self.conditionalYAML.contains("num_classes: 4"))
        let ckpt = try SampleFixtures.writeCheckpoint(yaml: Self.conditionalYAML, directory: path("c"))
        XCTAssertEqual(try CheckpointModel(path: ckpt).numClasses, 4)

        let three = try sample(ckpt) { $0.count = 3; $0.seed = 2; $0.classLabel = 3; $0.guidance = 2; $0.h5 = path("three.h5") }
        XCTAssertEqual(three.labels, [3, 3, 3])
        XCTAssertEqual(three.samples!.shape, [3, 1, 16, 16])
        let f = try H5File.open(path("three.h5"))
        XCTAssertEqual(try f.stringAttribute("classes"), "3,3,3")
        XCTAssertEqual(try f.stringAttribute("guidance"), "2.0")
        try f.close()
        let zero = try sample(ckpt) { $0.count = 3; $0.seed = 2; $0.classLabel = 0; $0.guidance = 2 }
        XCTAssertGreaterThan(three.samples!.maxAbsDifference(zero.samples!), 1e-3, "another class, other samples")
        let unguided = try sample(ckpt) { $0.count = 3; $0.seed = 2; $0.classLabel = 3; $0.guidance = 1 }
        XCTAssertGreaterThan(three.samples!.maxAbsDifference(unguided.samples!), 1e-3, "guidance changes the samples")
        // w = 0 is the unconditional model: the same whatever the class, and as without --class.
        let w0 = try sample(ckpt) { $0.count = 3; $0.seed = 2; $0.classLabel = 1; $0.guidance = 0 }
        let plain = try sample(ckpt) { $0.count = 3; $0.seed = 2 }
        XCTAssertEqual(w0.samples!.scalars, plain.samples!.scalars)

        // --classes all: 5 rounded up to 4 rows of 2; sample i has class i / 2, in a 2-column grid.
        let all = try sample(ckpt) { $0.count = 5; $0.seed = 2; $0.classes = "all"; $0.guidance = 2; $0.out = path("grid.png") }
        XCTAssertEqual(all.labels, [0, 0, 1, 1, 2, 2, 3, 3])
        XCTAssertEqual(all.samples!.shape, [8, 1, 16, 16])
        let grid = try PNGImage.read(path: path("grid.png"))
        XCTAssertEqual([grid.width, grid.height], [2 * 65 + 1, 4 * 65 + 1])
        XCTAssertEqual(grid.pixels, ImageGrid.image(of: all.samples!, columns: 2).pixels)
        // Sample k is the same whichever request draws it (same class, same noise).
        let list = try sample(ckpt) { $0.count = 2; $0.seed = 2; $0.classes = "3, 0"; $0.guidance = 2 }
        XCTAssertEqual(list.labels, [3, 0])
        XCTAssertLessThan(list.samples!.slice(0..<1).maxAbsDifference(three.samples!.slice(0..<1)), 1e-4)
    }

    func testClearErrors() throws {
        let conditional = try SampleFixtures.writeCheckpoint(yaml: Self.conditionalYAML, directory: path("c"))
        let unconditional = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.unetYAML, directory: path("u"))
        func assertError(_ checkpoint: String, _ expected: String, _ configure: (inout SampleOptions) -> Void,
                         file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try sample(checkpoint, configure), file: file, line: line) {
                XCTAssertTrue("\($0)".contains(expected), "\($0)", file: file, line: line)
            }
        }
        assertError(unconditional, "--class: \(unconditional) is an unconditional model") { $0.classLabel = 1 }
        assertError(unconditional, "--classes: \(unconditional) is an unconditional model") { $0.classes = "all" }
        assertError(conditional, "class 4 is out of range: the model has 4 classes, 0...3") { $0.classLabel = 4 }
        assertError(conditional, "class -1 is out of range") { $0.classes = "0,-1" }
        assertError(conditional, "expected all or a comma-separated list") { $0.classes = "digits" }
        assertError(conditional, "--guidance needs --class N or --classes all") { $0.guidance = 2 }
        assertError(conditional, "--class and --classes exclude each other") { $0.classLabel = 1; $0.classes = "all" }
    }

    func testConditionalConfigNeedsLabelledData() throws {
        let file = path("unlabelled.h5")
        try DatasetFileWriter.write(ImageArray(shape: [8, 1, 16, 16], bytes: [UInt8](repeating: 7, count: 8 * 256)),
                                    to: file, name: "unlabelled", source: "test")
        var config = try ConfigLoader.load(yaml: Self.conditionalYAML).config
        config.data.source = file
        config.train.globalBatch = 4
        XCTAssertThrowsError(try TrainingSetup.components(config)) {
            XCTAssertTrue("\($0)".contains("model.unet.num_classes: 4 asks for a class-conditional model, but data.source \(file) has no labels"), "\($0)")
        }
        config.data.source = "shapes16"
        config.model.unet.numClasses = 3
        XCTAssertThrowsError(try TrainingSetup.components(config)) {
            XCTAssertTrue("\($0)".contains("holds the label 3 (labels must lie in 0..<3)"), "\($0)")
        }
        config.train.labelDropout = 1
        XCTAssertTrue(config.validate(worldSize: 1).contains { $0.hasPrefix("train.label_dropout: must lie in [0, 1)") })
    }

    func testLabelDropoutIsKeyedByStepAndSample() throws {
        var config = try ConfigLoader.load(yaml: Self.conditionalYAML).config
        config.train.labelDropout = 0.3
        let labels = try XCTUnwrap(try TrainingSetup.components(config).classLabels)
        let data: [Int64] = (0..<1000).map { Int64($0 % 4) }
        let whole = labels.training(data, step: 5, firstSample: 100)
        // Split in two shares (two ranks): the same labels.
        XCTAssertEqual(labels.training(Array(data[0..<500]), step: 5, firstSample: 100)
                       + labels.training(Array(data[500...]), step: 5, firstSample: 600), whole)
        let dropped = whole.filter { $0 == 4 }.count
        XCTAssertEqual(Double(dropped) / 1000, 0.3, accuracy: 0.05)
        for (y, kept) in zip(data, whole) where kept != 4 { XCTAssertEqual(Int(y), kept) }
        XCTAssertNotEqual(labels.training(data, step: 6, firstSample: 100), whole, "another step drops others")
    }

    func testTrainingGridHasOneRowPerClass() throws {
        var config = try ConfigLoader.load(yaml: Self.conditionalYAML).config
        config.sample.guidance = 2
        let components = try TrainingSetup.components(config)
        let draw = try XCTUnwrap(components.drawSamples)
        let images = try XCTUnwrap(try draw(components.model, 6, (0, 1)) { false })
        XCTAssertEqual(images.shape, [8, 1, 16, 16], "6 rounded up to 4 rows of 2")
        XCTAssertEqual(components.gridColumns(count: 8), 2)
        XCTAssertEqual(ClassLabels.grid(count: 6, numClasses: 4).labels, [0, 0, 1, 1, 2, 2, 3, 3])
    }
}
