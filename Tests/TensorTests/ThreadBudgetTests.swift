import XCTest
@testable import Tensor

final class ThreadBudgetTests: XCTestCase {
    func testCoresAreSharedAmongLocalRanks() {
        XCTAssertEqual(ThreadBudget.threads(environment: [:], cores: 8), 8)
        XCTAssertEqual(ThreadBudget.threads(environment: ["OMPI_COMM_WORLD_LOCAL_SIZE": "2"], cores: 8), 4)
        XCTAssertEqual(ThreadBudget.threads(environment: ["OMPI_COMM_WORLD_LOCAL_SIZE": "4"], cores: 2), 1, "oversubscribed ranks get one thread")
        XCTAssertEqual(ThreadBudget.threads(environment: ["MPI_LOCALNRANKS": "3"], cores: 12), 4)
        XCTAssertEqual(ThreadBudget.threads(environment: ["SLURM_STEP_TASKS_PER_NODE": "2(x3)"], cores: 16), 8)
    }

    func testExplicitThreadCountWins() {
        XCTAssertEqual(ThreadBudget.threads(environment: ["DIFFUSE_THREADS": "3", "OMPI_COMM_WORLD_LOCAL_SIZE": "4"], cores: 2), 3)
        XCTAssertEqual(ThreadBudget.threads(environment: ["DIFFUSE_THREADS": "zero"], cores: 2), 2, "an unparsable value falls back")
    }

    func testLocalRanksIgnoresMalformedValues() {
        XCTAssertEqual(ThreadBudget.localRanks(environment: ["OMPI_COMM_WORLD_LOCAL_SIZE": "x"]), 1)
        XCTAssertEqual(ThreadBudget.localRanks(environment: [:]), 1)
    }
}
