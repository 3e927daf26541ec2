import XCTest
import Tensor
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
        XCTAssertFalse(MPICommunicator.isLaunchedByMPI(environment: [:]))
        XCTAssertTrue(MPICommunicator.isLaunchedByMPI(environment: ["OMPI_COMM_WORLD_SIZE": "2"]))
        XCTAssertTrue(MPICommunicator.isLaunchedByMPI(environment: ["PMI_SIZE": "4"]))
        XCTAssertTrue(MPICommunicator.isLaunchedByMPI(environment: ["PMIX_RANK": "0"]))
        XCTAssertTrue(MPICommunicator.isLaunchedByMPI(environment: ["SLURM_PROCID": "1", "SLURM_NTASKS": "2"]))
        XCTAssertFalse(MPICommunicator.isLaunchedByMPI(environment: ["SLURM_PROCID": "0", "SLURM_NTASKS": "1"]))
        XCTAssertFalse(MPICommunicator.isLaunchedByMPI(environment: ["SLURM_PROCID": "0"]))
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
