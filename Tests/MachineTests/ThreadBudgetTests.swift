import Machine
import XCTest

final class ThreadBudgetTests: XCTestCase {
    func testConfigThenOMPThenCoresPerLocalRank() {
        XCTAssertEqual(threadsPerRank(configured: 3, environment: ["OMP_NUM_THREADS": "2"], cores: 8), 3)
        XCTAssertEqual(threadsPerRank(configured: 0, environment: ["OMP_NUM_THREADS": "2"], cores: 8), 2)
        XCTAssertEqual(threadsPerRank(configured: 0, environment: ["OMPI_COMM_WORLD_LOCAL_SIZE": "4"], cores: 8), 2)
        XCTAssertEqual(threadsPerRank(configured: 0, environment: ["OMPI_COMM_WORLD_LOCAL_SIZE": "4"], cores: 2), 1)
        XCTAssertEqual(threadsPerRank(configured: 0, environment: ["OMP_NUM_THREADS": "x"], cores: 2), 2)
    }

    /// "auto": the node's cores over the ranks MPI counted there, whatever OMP_NUM_THREADS says.
    func testAutoDividesEachNodesCoresAmongItsRanks() {
        XCTAssertEqual(threadsPerRank(.auto, ranksOnNode: 3, environment: ["OMP_NUM_THREADS": "1"], cores: 64), 21)
        XCTAssertEqual(threadsPerRank(.auto, ranksOnNode: 2, environment: [:], cores: 48), 24)
        XCTAssertEqual(threadsPerRank(.auto, ranksOnNode: 4, environment: [:], cores: 2), 1)
        XCTAssertEqual(threadsPerRank(.auto, environment: ["OMPI_COMM_WORLD_LOCAL_SIZE": "4"], cores: 64), 16)
        XCTAssertEqual(threadsPerRank(.environment, ranksOnNode: 3, environment: ["OMP_NUM_THREADS": "1"], cores: 64), 1)
        XCTAssertEqual(threadsPerRank(.fixed(5), ranksOnNode: 3, environment: [:], cores: 64), 5)
    }

    /// Validation's computing ranks: as configured, else as many as the threads fill the cores.
    func testComputingRanksPerNodeFillTheCores() {
        XCTAssertEqual(computingRanksPerNode(configured: 5, threadsPerRank: 1, cores: 2), 5)
        XCTAssertEqual(computingRanksPerNode(configured: 0, threadsPerRank: 1, cores: 2), 2)
        XCTAssertEqual(computingRanksPerNode(configured: 0, threadsPerRank: 4, cores: 64), 16)
        XCTAssertEqual(computingRanksPerNode(configured: 0, threadsPerRank: 4, cores: 2), 1)
    }
}
