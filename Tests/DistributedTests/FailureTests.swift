import XCTest

/// No hangs: a rank's error, a killed rank and a stalled collective all end the job.
final class FailureTests: MPITestCase {
    /// A rank's own error outside any agreement prints its line and aborts the job.
    func testErrorOnOneRankPrintsItAndAbortsTheJob() throws {
        let r = try mpirun(3, ["fail", "--rank", "1"], timeout: 60)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.output.contains("rank 1: /nonexistent/srdist-1.png: cannot read the image"), r.output)
        XCTAssertFalse(r.output.contains("did not end the job"), r.output)
    }

    /// Inside `failTogether`, one rank's error ends every rank together: its line once
    /// (named by rank), no abort, so mpirun kills nobody.
    func testErrorOnOneRankInsideAnAgreementIsReportedOnceWithoutAbort() throws {
        let r = try mpirun(3, ["fail-together", "--rank", "2"], timeout: 60)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.output.components(separatedBy: "rank 2: /nonexistent/dataset: no such folder (rank 2)").count - 1, 1, r.output)
        XCTAssertFalse(r.output.contains("nobody failed"), r.output)
        XCTAssertFalse(r.output.contains("MPI_ABORT"), r.output)
    }

    /// The same error on every rank is one collective failure: rank 0 says it once,
    /// every rank exits 1, and Open MPI has no MPI_Abort to report.
    func testErrorOnEveryRankIsReportedOnceWithoutAbort() throws {
        let r = try mpirun(3, ["fail-together"], timeout: 60)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.output.components(separatedBy: "/nonexistent/dataset: no such folder").count - 1, 1, r.output)
        XCTAssertTrue(r.output.contains("error: /nonexistent/dataset: no such folder (rank 0)"), r.output)
        XCTAssertFalse(r.output.contains("MPI_ABORT"), r.output)
    }

    func testKilledRankEndsTheJobWithin30Seconds() throws {
        let r = try mpirun(2, ["kill", "--rank", "1", "--step", "3"], timeout: 60)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertLessThan(r.seconds, 30, r.output)
        XCTAssertTrue(r.output.contains("rank 1: killing myself at step 3"), r.output)
    }

    /// Rank 2 of 3 stalls before a barrier: the watchdog names it (not the rank that
    /// noticed), the step and the collective, and the job prints that once.
    func testWatchdogNamesTheRankThatDidNotArrive() throws {
        let r = try mpirun(3, ["stall", "--rank", "2", "--seconds", "60", "--watchdog", "1"], timeout: 60)
        XCTAssertNotEqual(r.status, 0)
        let line = "rank 0: watchdog: MPI_Barrier at step 5 has not completed after 1 s: rank 2 did not arrive (ranks 0, 1 waiting in it); aborting the job"
        XCTAssertTrue(r.output.contains(line), r.output)
        XCTAssertEqual(r.output.components(separatedBy: "watchdog:").count - 1, 1, r.output)
        XCTAssertLessThan(r.seconds, 30, "the stalled rank sleeps 60 s; only the watchdog ends the job sooner")
    }
}
