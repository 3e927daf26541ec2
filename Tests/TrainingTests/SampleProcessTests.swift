import Distributed
import Foundation
import HDF5
import TestSupport
import XCTest
@testable import Training

/// The built `diffuse-sample` binary, alone and under `mpirun -np 2`.
final class SampleProcessTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try SampleFixtures.temporaryFolder() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }

    func samples(_ file: String) throws -> (values: [Float], shape: [Int], sampler: String, seed: Int64) {
        let f = try H5File.open(file)
        defer { try? f.close() }
        let d = try f.dataset(named: "samples")
        return (try d.read(as: Float.self), d.shape, try f.stringAttribute("sampler"), try f.attribute("seed", as: Int64.self))
    }

    /// Runs `diffuse-sample --checkpoint <dir>/run <options>` alone (one.h5, one.png) and under
    /// `mpirun -np 2` (two.h5, two.png), checks both succeed with the same PNG, and returns
    /// the single process's run and both sample files.
    func sampleOnOneAndTwoRanks(_ options: [String], file: StaticString = #filePath, line: UInt = #line) throws
        -> (one: ProcessLauncher.Run, a: (values: [Float], shape: [Int], sampler: String, seed: Int64),
            b: (values: [Float], shape: [Int], sampler: String, seed: Int64)) {
        let binary = try ProcessLauncher.locateProduct("diffuse-sample")
        func arguments(_ name: String) -> [String] {
            ["--checkpoint", path("run")] + options + ["--h5", path("\(name).h5"), "--out", path("\(name).png")]
        }
        let one = try ProcessLauncher().run(binary.path, arguments("one"))
        XCTAssertEqual(one.status, 0, one.output + one.errors, file: file, line: line)
        XCTAssertFalse(one.timedOut, file: file, line: line)
        let two = try ProcessLauncher().mpirun(np: 2, binary, arguments("two"), timeout: 120)
        XCTAssertEqual(two.status, 0, two.output + two.errors, file: file, line: line)
        XCTAssertFalse(two.timedOut, file: file, line: line)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("one.png"))),
                       try Data(contentsOf: URL(fileURLWithPath: path("two.png"))), file: file, line: line)
        return (one, try samples(path("one.h5")), try samples(path("two.h5")))
    }

    func testTwoRanksWriteWhatOneRankWrites() throws {
        let ckpt = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.mlpYAML, directory: path("run/checkpoints"))
        let (one, a, b) = try sampleOnOneAndTwoRanks(["--sampler", "ddpm", "--steps", "4", "--count", "9", "--batch", "2", "--seed", "3"])
        // Not a terminal: one progress line per batch, then the summary.
        let lines = one.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { $0.hasPrefix("sampled ") }.count, 5, one.output)
        XCTAssertTrue(lines.contains { $0.hasPrefix("sampled 9/9 (batch 5/5) ") && $0.hasSuffix(" images/s") }, one.output)
        XCTAssertTrue(lines.last?.hasPrefix("9 samples from \(ckpt) with ddpm (4 steps), seed 3") ?? false, one.output)
        XCTAssertEqual(a.shape, [9, 2])
        XCTAssertEqual(b.shape, [9, 2])
        XCTAssertEqual(a.values, b.values)
        XCTAssertEqual(a.sampler, "ddpm")
        XCTAssertEqual(b.seed, 3)
    }

    func testGuidedClassGridOnTwoRanksIsWhatOneRankWrites() throws {
        try SampleFixtures.writeCheckpoint(yaml: ConditionalSamplingTests.conditionalYAML, directory: path("run/checkpoints"))
        let (one, a, b) = try sampleOnOneAndTwoRanks(["--classes", "all", "--guidance", "2", "--steps", "2", "--count", "6", "--batch", "2"])
        XCTAssertTrue(one.output.contains("8 samples from"), one.output)
        XCTAssertEqual(a.shape, [8, 1, 16, 16], "6 rounded up to 4 classes x 2")
        XCTAssertEqual(a.values, b.values)
        let binary = try ProcessLauncher.locateProduct("diffuse-sample")

        let wrong = try ProcessLauncher().run(binary.path, ["--checkpoint", path("run"), "--class", "9", "--out", path("x.png")])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.errors.contains("--class: class 9 is out of range: the model has 4 classes, 0...3"), wrong.errors)
    }

    func testErrorsAreOneParagraphAndExitNonZero() throws {
        let binary = try ProcessLauncher.locateProduct("diffuse-sample")
        let bogus = path("bogus.h5")
        try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: bogus))
        try Data("old".utf8).write(to: URL(fileURLWithPath: path("grid.png")))
        let r = try ProcessLauncher().run(binary.path, ["--checkpoint", bogus, "--out", path("grid.png")])
        XCTAssertEqual(r.status, 1)
        let lines = r.errors.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r.errors)
        XCTAssertTrue(r.errors.hasPrefix("diffuse-sample: error: \(bogus): not a readable HDF5 file (truncated or not HDF5)"), r.errors)
        XCTAssertEqual(try String(contentsOfFile: path("grid.png"), encoding: .utf8), "old")
    }
}
