import Data
import Foundation
import HDF5
import Tensor
import XCTest
@testable import Evaluation
@testable import Sampling
@testable import Training

/// `diffuse-eval train-classifier` and `fid`: the Fréchet distance against closed forms, a
/// classifier trained on a tiny two-class set, the classifier file's round trip and its
/// refusals, and `fid` on a tiny class-conditional checkpoint.
final class ClassifierEvalTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try SampleFixtures.temporaryFolder() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }

    // MARK: Fréchet distance

    func testSymmetricEigenReconstructsTheMatrix() {
        let a: [Double] = [4, 1, -2, 1, 3, 0.5, -2, 0.5, 5]
        let e = SymmetricEigen(a, n: 3)
        XCTAssertEqual(e.values, e.values.sorted())
        let back = e.applying { $0 }
        for i in 0..<9 { XCTAssertEqual(back[i], a[i], accuracy: 1e-12) }
        XCTAssertEqual(e.values.reduce(0, +), 12, accuracy: 1e-12)   // the trace
        let root = e.applying { $0.squareRoot() }
        let square = FrechetDistance.product(root, root, 3)
        for i in 0..<9 { XCTAssertEqual(square[i], a[i], accuracy: 1e-12) }
    }

    /// Commuting covariances: d^2 = |mu1 - mu2|^2 + sum_i (sqrt(a_i) - sqrt(b_i))^2, also when
    /// both are rotated by the same orthogonal matrix.
    func testFrechetDistanceOfCommutingCovariances() {
        let a: [Double] = [1, 4, 9], b: [Double] = [4, 1, 0.25]
        let expected = (1.0 + 4 + 0) + [(1.0 - 2), (2.0 - 1), (3.0 - 0.5)].reduce(0) { $0 + $1 * $1 }
        func diagonal(_ d: [Double]) -> [Double] { (0..<9).map { $0 % 4 == 0 ? d[$0 / 4] : 0 } }
        let m1 = FrechetDistance.Moments(mean: [1, 2, 3], covariance: diagonal(a), count: 10)
        let m2 = FrechetDistance.Moments(mean: [0, 0, 3], covariance: diagonal(b), count: 10)
        XCTAssertEqual(FrechetDistance.squared(m1, m2), expected, accuracy: 1e-9)
        // A rotation R about the z axis by 0.7 rad: R D R^T.
        let c = cos(0.7), s = sin(0.7)
        let r: [Double] = [c, -s, 0, s, c, 0, 0, 0, 1]
        let rt: [Double] = [c, s, 0, -s, c, 0, 0, 0, 1]
        func rotated(_ d: [Double]) -> [Double] { FrechetDistance.product(FrechetDistance.product(r, diagonal(d), 3), rt, 3) }
        let r1 = FrechetDistance.Moments(mean: [1, 2, 3], covariance: rotated(a), count: 10)
        let r2 = FrechetDistance.Moments(mean: [0, 0, 3], covariance: rotated(b), count: 10)
        XCTAssertEqual(FrechetDistance.squared(r1, r2), expected, accuracy: 1e-9)
        XCTAssertEqual(FrechetDistance.squared(r1, r1), 0, accuracy: 1e-9)
    }

    /// Non-commuting 2 x 2 covariances: for M = S1^{1/2} S2 S1^{1/2},
    /// Tr M^{1/2} = sqrt(Tr M + 2 sqrt(det M)) with Tr M = Tr(S1 S2) and det M = det S1 det S2.
    func testFrechetDistanceOfNonCommutingCovariances() {
        let s1: [Double] = [2, 1, 1, 3], s2: [Double] = [1, -0.5, -0.5, 2]
        let trProduct = s1[0] * s2[0] + s1[1] * s2[2] + s1[2] * s2[1] + s1[3] * s2[3]
        let det = (s1[0] * s1[3] - s1[1] * s1[2]) * (s2[0] * s2[3] - s2[1] * s2[2])
        let traceRoot = (trProduct + 2 * det.squareRoot()).squareRoot()
        let expected = 0.25 + (5 + 3) - 2 * traceRoot
        let d = FrechetDistance.squared(FrechetDistance.Moments(mean: [0.5, 0], covariance: s1, count: 5),
                                        FrechetDistance.Moments(mean: [0, 0], covariance: s2, count: 5))
        XCTAssertEqual(d, expected, accuracy: 1e-10)
    }

    /// Sample moments use N - 1.
    func testMomentsOfFeatures() {
        let m = FrechetDistance.Moments(features: [1, 0, 3, 2, 5, 4], count: 3, dimension: 2)
        XCTAssertEqual(m.mean, [3, 2])
        XCTAssertEqual(m.covariance, [4, 4, 4, 4])
    }

    // MARK: Classifier

    /// 8x8 gray images of two classes: class 0 bright in the top half, class 1 in the bottom
    /// half, both with seeded noise; labels alternate unless `labels` is false.
    func writeTwoClassSet(_ file: String, count: Int = 400, labels: Bool = true) throws {
        let rng = CounterRNG(seed: 5)
        var bytes: [UInt8] = [], y: [Int64] = []
        for i in 0..<count {
            let label = i % 2
            for p in 0..<64 {
                let top = p < 32
                let base = (top == (label == 0)) ? 170.0 : 60.0
                let noise = 80 * (rng.uniformDouble(purpose: .misc, step: 0, sample: UInt32(i), index: UInt32(p)) - 0.5)
                bytes.append(UInt8(max(0, min(255, base + noise))))
            }
            y.append(Int64(label))
        }
        try DatasetFileWriter.write(ImageArray(shape: [count, 1, 8, 8], bytes: bytes), labels: labels ? y : nil, to: file, name: "two-class", source: "test")
    }

    func tinyOptions(_ data: String) -> ClassifierTrainingOptions {
        var o = ClassifierTrainingOptions(data: data, out: path("classifier.h5"))
        o.channels = [4, 8]; o.groups = 4; o.featureDimension = 8; o.epochs = 3; o.batch = 16; o.lr = 1e-2
        return o
    }

    func testClassifierLearnsATwoClassSet() throws {
        try writeTwoClassSet(path("two.h5"))
        var lines: [String] = []
        let result = try ClassifierTraining.train(tinyOptions(path("two.h5"))) { lines.append($0) }
        XCTAssertEqual(result.heldOutCount, 40)
        XCTAssertEqual(result.trainCount, 360)
        XCTAssertGreaterThanOrEqual(result.heldOutAccuracy, 0.95)
        XCTAssertTrue(lines.contains { $0.contains("held-out accuracy") })
        XCTAssertEqual(result.classifier.config.numClasses, 2)
        XCTAssertEqual(result.classifier.config.inputShape, [1, 8, 8])
    }

    func testClassifierNeedsLabels() throws {
        try writeTwoClassSet(path("unlabelled.h5"), labels: false)
        XCTAssertThrowsError(try ClassifierTraining.train(tinyOptions(path("unlabelled.h5")))) {
            XCTAssertTrue("\($0)".contains("has no /labels"), "\($0)")
        }
    }

    func testClassifierFileRoundTripAndDamage() throws {
        try writeTwoClassSet(path("two.h5"), count: 100)
        var o = tinyOptions(path("two.h5")); o.epochs = 1
        let report = try ClassifierTraining.run(o)
        XCTAssertNotNil(report.value("held_out_accuracy"))
        let images = try DatasetFile(path: path("two.h5")).samples(Array(0..<10))
        let trained = try ClassifierTraining.train(o).classifier
        let (read, accuracy) = try ClassifierFile.read(o.out)
        XCTAssertEqual(accuracy, report.value("held_out_accuracy")!)
        XCTAssertEqual(read.config, trained.config)
        // The same seed trains the same weights, so the file's classifier computes the same features.
        XCTAssertEqual(read.evaluate(images).features, trained.evaluate(images).features)

        // One changed weight: refused with the tensor's name.
        let file = try H5File.open(o.out, readOnly: false)
        let dataset = try file.group(named: "weights").dataset(named: "head.bias")
        var values = try dataset.read(as: Float.self)
        values[0] += 0.5
        try dataset.write(values)
        try file.close()
        XCTAssertThrowsError(try ClassifierFile.read(o.out)) { XCTAssertTrue("\($0)".contains("/weights/head.bias is damaged"), "\($0)") }

        // Not HDF5, not a classifier, missing.
        try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: path("junk.h5")))
        XCTAssertThrowsError(try ClassifierFile.read(path("junk.h5"))) { XCTAssertTrue("\($0)".contains("not a readable HDF5 file"), "\($0)") }
        XCTAssertThrowsError(try ClassifierFile.read(path("two.h5"))) { XCTAssertTrue("\($0)".contains("not a classifier file"), "\($0)") }
        XCTAssertThrowsError(try ClassifierFile.read(path("none.h5"))) { XCTAssertTrue("\($0)".contains("no such file"), "\($0)") }
    }

    // MARK: fid

    func testFIDOnATinyConditionalCheckpoint() throws {
        let checkpoint = try SampleFixtures.writeCheckpoint(yaml: ConditionalSamplingTests.conditionalYAML, directory: path("ckpt"))
        try BuiltinDatasets.writeFile("shapes16", count: 200, seed: 3, path: path("shapes.h5"))
        var o = ClassifierTrainingOptions(data: path("shapes.h5"), out: path("shapes-classifier.h5"))
        o.channels = [4, 8]; o.groups = 4; o.featureDimension = 8; o.epochs = 1; o.batch = 16
        _ = try ClassifierTraining.run(o)

        var s = SampleOptions(checkpoint: checkpoint)
        s.count = 12; s.steps = 2; s.guidance = 2
        let report = try FIDEvaluation.run(FIDOptions(sampling: s, classifier: o.out, reference: path("shapes.h5")))
        XCTAssertEqual(report.value("samples"), 12)
        XCTAssertEqual(report.value("reference_samples"), 12)
        for name in ["fid", "precision", "recall", "class_agreement"] {
            let v = try XCTUnwrap(report.value(name), name)
            XCTAssertTrue(v.isFinite, name)
        }
        XCTAssertGreaterThanOrEqual(report.value("fid")!, -1e-9)
        XCTAssertTrue((0...1).contains(report.value("class_agreement")!))
        XCTAssertTrue(report.table().contains("class_agreement"))

        // A classifier of 8x8 images does not take the checkpoint's 16x16 ones.
        try writeTwoClassSet(path("two.h5"), count: 100)
        var small = tinyOptions(path("two.h5")); small.epochs = 1; small.out = path("small.h5")
        _ = try ClassifierTraining.run(small)
        XCTAssertThrowsError(try FIDEvaluation.run(FIDOptions(sampling: s, classifier: small.out, reference: path("shapes.h5")))) {
            XCTAssertTrue("\($0)".contains("takes images of shape [1, 8, 8], but checkpoint"), "\($0)")
        }
    }
}
