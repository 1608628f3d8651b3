import XCTest

/// The wrapper's collectives under real mpirun, at 2 and 4 ranks (4 oversubscribes
/// the 2 cores, which also exercises Open MPI's algorithms for np ≥ 4).
final class CollectiveTests: MPITestCase {
    func testAllreduceOfEveryTypeAndSize() throws {
        for np in [2, 4] { assertOK(try mpirun(np, ["allreduce"]), np: np, "allreduce") }
    }

    func testBucketedAllreduceMatchesPlainAllreduce() throws {
        for np in [2, 3] { assertOK(try mpirun(np, ["buckets"]), np: np, "buckets") }
    }

    func testBroadcastFromFirstAndLastRankAndErrorsComeBackAsMPIError() throws {
        let r = try mpirun(3, ["broadcast"])
        assertOK(r, np: 3, "broadcast")
        XCTAssertTrue(r.lines(rank: 2).contains("rank 2: MPI_Bcast failed: MPI_ERR_ROOT: invalid root (MPI error 8)"), r.output)
    }

    func testSplitByColorAndKey() throws {
        for np in [2, 4] { assertOK(try mpirun(np, ["split"]), np: np, "split") }
    }

    func testAgreementPassesWhenRanksMatch() throws {
        assertOK(try mpirun(3, ["agree"]), np: 3, "agree")
    }

    func testAgreementMismatchStopsEveryRankWithOneLine() throws {
        let r = try mpirun(4, ["agree", "--differ", "2:layout"])
        XCTAssertNotEqual(r.status, 0)
        let errors = r.output.split(separator: "\n").filter { $0.hasPrefix("error:") }
        XCTAssertEqual(errors, ["error: rank 2 differs from rank 0 in layout; start every rank with the same build, config and checkpoint"],
                       r.output)
        XCTAssertFalse(r.output.contains("agree ok"), r.output)
    }
}
