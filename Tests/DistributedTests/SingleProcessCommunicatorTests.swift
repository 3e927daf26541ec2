import Tensor
import TestSupport
import XCTest
@testable import Distributed

final class SingleProcessCommunicatorTests: XCTestCase {
    func testRankAndSize() {
        let c = SingleProcessCommunicator()
        XCTAssertEqual(c.rank, 0)
        XCTAssertEqual(c.size, 1)
        XCTAssertTrue(c.isRoot)
    }

    func testCollectivesAreIdentity() throws {
        let c = SingleProcessCommunicator()
        var f: [Float] = [1, -2, 3.5]
        try f.withUnsafeMutableBufferPointer { try c.allreduceSum($0) }
        XCTAssertEqual(f, [1, -2, 3.5])
        var d: [Double] = [4, 5]
        try c.allreduce(&d, .max)
        XCTAssertEqual(d, [4, 5])
        XCTAssertEqual(try c.allreduce(Int32(7), .min), 7)
        var b: [Float] = [9, 8]
        try c.broadcast(&b, root: 0)
        XCTAssertEqual(b, [9, 8])
        XCTAssertEqual(try c.broadcast("config: x", root: 0), "config: x")
        XCTAssertEqual(try c.gather([Float(1), 2, 3], root: 0), [[1, 2, 3]])
        XCTAssertEqual(try c.allgather([Double(6)]), [[6]])
        try c.barrier()
        try c.finalize()
    }

    func testTensorAllreduceLeavesValues() throws {
        let c = SingleProcessCommunicator()
        let t = Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        try c.allreduce(t, .sum)
        XCTAssertEqual(t.scalars, [1, 2, 3, 4])
    }

    func testNonblockingRequestIsComplete() throws {
        let c = SingleProcessCommunicator()
        var f: [Float] = [1, 2]
        let request = try f.withUnsafeMutableBufferPointer { try c.startAllreduceSum($0) }
        XCTAssertTrue(try request.test())
        try request.wait()
        XCTAssertEqual(f, [1, 2])
    }

    func testLaunchDetectionFromEnvironment() {
        XCTAssertFalse(MPILaunch.isLaunchedByMPI(environment: [:]))
        XCTAssertTrue(MPILaunch.isLaunchedByMPI(environment: ["OMPI_COMM_WORLD_SIZE": "2"]))
        XCTAssertTrue(MPILaunch.isLaunchedByMPI(environment: ["PMI_SIZE": "4"]))
        XCTAssertTrue(MPILaunch.isLaunchedByMPI(environment: ["PMIX_RANK": "0"]))
        XCTAssertTrue(MPILaunch.isLaunchedByMPI(environment: ["SLURM_PROCID": "1", "SLURM_NTASKS": "2"]))
        XCTAssertFalse(MPILaunch.isLaunchedByMPI(environment: ["SLURM_PROCID": "0", "SLURM_NTASKS": "1"]))
        XCTAssertFalse(MPILaunch.isLaunchedByMPI(environment: ["SLURM_PROCID": "0"]))
    }

    func testAnyLauncherIncludingASingleTaskSrunIsDetected() {
        XCTAssertFalse(MPILaunch.isUnderLauncher(environment: [:]))
        XCTAssertTrue(MPILaunch.isUnderLauncher(environment: ["OMPI_COMM_WORLD_SIZE": "2"]))
        XCTAssertTrue(MPILaunch.isUnderLauncher(environment: ["PMI_RANK": "0"]))
        XCTAssertTrue(MPILaunch.isUnderLauncher(environment: ["SLURM_STEP_ID": "0", "SLURM_PROCID": "0", "SLURM_NTASKS": "1"]))
        XCTAssertFalse(MPILaunch.isLaunchedByMPI(environment: ["SLURM_STEP_ID": "0", "SLURM_PROCID": "0", "SLURM_NTASKS": "1"]))
    }

    func testDefaultCommunicatorWithoutLauncherIsSingleProcess() throws {
        let c = try makeDefaultCommunicator(environment: [:])
        XCTAssertTrue(c is SingleProcessCommunicator)
    }

    func testMPIErrorStringIsMPIs() {
        // OpenMPI aborts on MPI_Error_string before MPI_Init: the code alone is reported then.
        // (MPI's own strings are checked by diffuse-mpi-check's errors-return check.)
        XCTAssertEqual(MPICommunicator.errorString(8), "MPI error code 8 (MPI not initialised)")
        let e = CommunicatorError(operation: "MPI_Bcast", code: 8, message: "MPI_ERR_ROOT: invalid root")
        XCTAssertEqual(e.description, "MPI_Bcast failed (MPI error 8): MPI_ERR_ROOT: invalid root")
    }
}

final class AgreementHelpersTests: XCTestCase {
    func testFlagsOnOneRankAreTheLocalFlags() throws {
        let c = SingleProcessCommunicator()
        XCTAssertTrue(try c.anyRank(true))
        XCTAssertFalse(try c.anyRank(false))
        XCTAssertEqual(try c.anyRank([true, false, true]), [true, false, true])
        XCTAssertTrue(try c.allRanks(true))
        XCTAssertFalse(try c.allRanks(false))
    }

    func testChecksumFormula() {
        let t = Tensor(shape: [3], values: [1, 2, 4])
        let c = ParameterChecksum(t)
        XCTAssertEqual(c.sum, 7)
        XCTAssertEqual(c.weightedSum, 17) // 1·1 + 2·2 + 4·3
        // A swap keeps the sum but changes the weighted sum.
        let swapped = ParameterChecksum(Tensor(shape: [3], values: [2, 1, 4]))
        XCTAssertEqual(swapped.sum, c.sum)
        XCTAssertNotEqual(swapped.weightedSum, c.weightedSum)
    }

    func testChecksumAgreementOnOneRank() throws {
        let comm = SingleProcessCommunicator()
        let t = Tensor(shape: [4], values: [0.5, -1, 3, 2])
        let a = try comm.compareChecksums(ParameterChecksum(t))
        XCTAssertEqual(a.minimum, a.local)
        XCTAssertEqual(a.maximum, a.local)
        XCTAssertTrue(a.agrees())
        try comm.verifyParametersAgree(t, step: 3)
        t.pointer[2] = .infinity
        XCTAssertThrowsError(try comm.verifyParametersAgree(t, step: 3)) { error in
            XCTAssertTrue("\(error)".contains("step 3"), "\(error)")
            XCTAssertTrue("\(error)".contains("not finite"), "\(error)")
        }
    }

    func testAgreementTolerance() {
        let lo = ParameterChecksum(sum: 100, weightedSum: 1000)
        let hi = ParameterChecksum(sum: 100.001, weightedSum: 1000)
        let a = ChecksumAgreement(local: lo, minimum: lo, maximum: hi, anyNonFinite: false)
        XCTAssertFalse(a.agrees())
        XCTAssertTrue(a.agrees(relativeTolerance: 1e-4))
        XCTAssertFalse(a.agrees(relativeTolerance: 1e-6))
        let error = ParameterDivergenceError(step: 42, agreement: a)
        XCTAssertTrue(error.description.contains("diverged across ranks at step 42"), error.description)
    }

    func testSelfCheckPassesOnOneRankAndReportsInjectedFailure() throws {
        let comm = SingleProcessCommunicator()
        let outcomes = try MPISelfCheck(communicator: comm).run()
        XCTAssertEqual(outcomes.count, MPISelfCheck(communicator: comm).checks.count)
        XCTAssertTrue(outcomes.allSatisfy(\.passed), "\(outcomes.filter { !$0.passed })")
        let injected = try MPISelfCheck(communicator: comm, injectedFailure: "broadcast").run()
        XCTAssertEqual(injected.filter { !$0.passed }.map(\.name), ["broadcast"])
        XCTAssertEqual(injected.first { !$0.passed }?.detail, "failed on rank(s) [0]: injected failure")
    }
}
