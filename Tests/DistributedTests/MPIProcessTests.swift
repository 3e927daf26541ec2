import XCTest
import Foundation

/// Runs the real MPI layer: `mpirun -np N diffuse-mpi-check` (built next to the test bundle by
/// `swift build --build-tests`), asserting on its output and exit status.
final class MPIProcessTests: XCTestCase {
    struct Run {
        let status: Int32
        let output: String
        let errors: String
    }

    struct MissingTool: Error, CustomStringConvertible { let description: String }

    /// diffuse-mpi-check in the build products directory that holds the test bundle
    /// (or .build/debug of this package).
    static func locateCheckBinary() throws -> URL {
        var candidates: [URL] = []
        for bundle in Bundle.allBundles + [Bundle.main] {
            let url = bundle.bundleURL
            candidates.append((url.pathExtension == "xctest" ? url.deletingLastPathComponent() : url)
                .appendingPathComponent("diffuse-mpi-check"))
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/diffuse-mpi-check"))
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) { return found }
        throw MissingTool(description: "diffuse-mpi-check was not found in \(candidates.map(\.path)); build it with `swift build --build-tests` (or `swift build --product diffuse-mpi-check`)")
    }

    static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `arguments` with a timeout, outside any enclosing MPI job's environment.
    func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 60) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !(key.hasPrefix("OMPI_COMM_WORLD") || key.hasPrefix("PMIX_") || key.hasPrefix("PMI_") || key.hasPrefix("SLURM_"))
        }
        environment["OPENBLAS_NUM_THREADS"] = "1"
        environment["DIFFUSE_THREADS"] = "1"
        process.environment = environment
        // Output goes to temporary files: no reader threads, no pipe-buffer deadlock.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("diffuse-mpi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout"), errURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            _ = finished.wait(timeout: .now() + 5)
            XCTFail("\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        let outData = try Data(contentsOf: outURL), errData = try Data(contentsOf: errURL)
        return Run(status: process.terminationStatus,
                   output: String(decoding: outData, as: UTF8.self),
                   errors: String(decoding: errData, as: UTF8.self))
    }

    func mpirun(np: Int, _ arguments: [String] = []) throws -> Run {
        guard let mpirun = MPIProcessTests.which("mpirun") else {
            throw MissingTool(description: "mpirun is not on PATH (install openmpi-bin)")
        }
        let binary = try MPIProcessTests.locateCheckBinary()
        return try run(mpirun, ["--allow-run-as-root", "--oversubscribe", "-np", "\(np)",
                                "-x", "OPENBLAS_NUM_THREADS=1", "-x", "DIFFUSE_THREADS=1", binary.path] + arguments)
    }

    func assertAllPassed(_ r: Run, ranks: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 0, "exit status; stdout:\n\(r.output)\nstderr:\n\(r.errors)", file: file, line: line)
        let lines = r.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "diffuse-mpi-check: \(ranks) rank(s)", file: file, line: line)
        let passes = lines.filter { $0.hasPrefix("PASS ") }
        XCTAssertFalse(lines.contains { $0.hasPrefix("FAIL ") }, r.output, file: file, line: line)
        XCTAssertGreaterThanOrEqual(passes.count, 13, file: file, line: line)
        for name in ["allreduce-sum-float", "broadcast", "gather-variable-size", "nonblocking-allreduce", "errors-return",
                     "bucketed-overlapped-allreduce", "agreed-flags", "parameter-checksum"] {
            XCTAssertTrue(passes.contains("PASS \(name)"), "missing PASS \(name) in\n\(r.output)", file: file, line: line)
        }
        XCTAssertEqual(lines.last, "\(passes.count) passed, 0 failed", file: file, line: line)
    }

    func testTwoRanks() throws {
        assertAllPassed(try mpirun(np: 2), ranks: 2)
    }

    func testThreeRanks() throws {
        assertAllPassed(try mpirun(np: 3), ranks: 3)
    }

    func testFailureOnOneRankIsReportedAndExitsNonZero() throws {
        let r = try mpirun(np: 2, ["--inject-failure", "agreed-flags"])
        XCTAssertNotEqual(r.status, 0, r.output)
        let lines = r.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("FAIL agreed-flags: failed on rank(s) [1]: injected failure"), r.output)
        XCTAssertTrue(lines.contains("PASS broadcast"), r.output)
        XCTAssertTrue(lines.last?.hasSuffix(" passed, 1 failed") ?? false, r.output)
    }

    func testOverlapBenchmarkReportsBothVariants() throws {
        let r = try mpirun(np: 2, ["--bench-allreduce", "--megabytes", "4", "--repetitions", "1"])
        XCTAssertEqual(r.status, 0, r.output + r.errors)
        let lines = r.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, r.output)
        XCTAssertTrue(lines[1].hasPrefix("single request: 4 MB allreduce "), r.output)
        XCTAssertTrue(lines[2].hasPrefix("bucketed 1 MB + 25 MB: 4 MB allreduce "), r.output)
        XCTAssertTrue(lines.dropFirst().allSatisfy { $0.contains("hidden ") && $0.hasSuffix("%") }, r.output)
    }

    func testWithoutMPIRunsAsOneRank() throws {
        let r = try run(try MPIProcessTests.locateCheckBinary().path, [])
        assertAllPassed(r, ranks: 1)
    }
}
