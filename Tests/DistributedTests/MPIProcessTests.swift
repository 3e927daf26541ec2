import Distributed
import Foundation
import TestSupport
import XCTest

/// Runs the real MPI layer: `mpirun -np N diffuse-mpi-check` (built next to the test bundle by
/// `swift build --build-tests`), asserting on its output and exit status.
final class MPIProcessTests: XCTestCase {
    typealias Run = ProcessLauncher.Run

    static func locateCheckBinary() throws -> URL { try ProcessLauncher.locateProduct("diffuse-mpi-check") }

    func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 60) throws -> Run {
        let r = try ProcessLauncher().run(executable, arguments, timeout: timeout)
        XCTAssertFalse(r.timedOut, "\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        return r
    }

    func mpirun(np: Int, _ arguments: [String] = []) throws -> Run {
        let r = try ProcessLauncher().mpirun(np: np, try MPIProcessTests.locateCheckBinary(), arguments)
        XCTAssertFalse(r.timedOut, "mpirun -np \(np) diffuse-mpi-check did not finish in time")
        return r
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
        XCTAssertTrue(lines[2].hasPrefix("bucketed 1 MB + 4 MB: 4 MB allreduce "), r.output)
        XCTAssertTrue(lines.dropFirst().allSatisfy { $0.contains("hidden ") && $0.hasSuffix("%") }, r.output)
    }

    func testWithoutMPIRunsAsOneRank() throws {
        let r = try run(try MPIProcessTests.locateCheckBinary().path, [])
        assertAllPassed(r, ranks: 1)
    }
}
