import Distributed
import Foundation
import TestSupport
import XCTest
@testable import Evaluation
@testable import Training

/// The built `diffuse-eval` binary: a table on stdout, the JSON file, one-paragraph errors.
final class EvalProcessTests: XCTestCase {
    func testNLLAndQualityCommandLines() throws {
        let dir = try SampleFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ckpt = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.mlpYAML, directory: dir + "/run/checkpoints")
        let binary = try ProcessLauncher.locateProduct("diffuse-eval").path
        let json = dir + "/nll.json"
        let nll = try ProcessLauncher().run(binary, ["nll", "--checkpoint", dir + "/run", "--data", "two-moons", "--count", "8",
                                                      "--steps", "4", "--json", json])
        XCTAssertEqual(nll.status, 0, nll.output + nll.errors)
        let lines = nll.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "nll: \(ckpt) on builtin two-moons (seed 1)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("bits_per_dim ") }, nll.output)
        let report = try JSONDecoder().decode(EvaluationReport.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        XCTAssertEqual(report.value("samples"), 8)
        XCTAssertNotNil(report.metrics.first { $0.name == "bits_per_dim" }?.standardError)

        let quality = try ProcessLauncher().run(binary, ["quality", "--checkpoint", ckpt, "--data", "two-moons", "--count", "16", "--steps", "3"])
        XCTAssertEqual(quality.status, 0, quality.output + quality.errors)
        XCTAssertTrue(quality.output.contains("sliced_wasserstein "), quality.output)

        let bad = try ProcessLauncher().run(binary, ["nll", "--checkpoint", dir + "/missing.h5", "--data", "two-moons"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.errors, "diffuse-eval nll: error: \(dir)/missing.h5: no such checkpoint file or run folder\n")
    }
}
