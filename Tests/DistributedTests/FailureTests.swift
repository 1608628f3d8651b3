import XCTest

/// No hangs: a rank's error, a killed rank and a stalled collective all end the job.
final class FailureTests: MPITestCase {
    func testErrorOnOneRankPrintsItAndAbortsTheJob() throws {
        let r = try mpirun(3, ["fail", "--rank", "1"], timeout: 60)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.output.contains("rank 1: /nonexistent/srdist-1.png: cannot read the image"), r.output)
        XCTAssertFalse(r.output.contains("did not end the job"), r.output)
    }

    func testKilledRankEndsTheJobWithin30Seconds() throws {
        let r = try mpirun(2, ["kill", "--rank", "1", "--step", "3"], timeout: 60)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertLessThan(r.seconds, 30, r.output)
        XCTAssertTrue(r.output.contains("rank 1: killing myself at step 3"), r.output)
    }

    func testWatchdogAbortsAStalledCollective() throws {
        let r = try mpirun(2, ["stall", "--rank", "1", "--seconds", "60", "--watchdog", "1"], timeout: 60)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.output.contains("rank 0: watchdog: MPI_Barrier at step 5 has not completed after 1 s; aborting the job"), r.output)
        XCTAssertLessThan(r.seconds, 30, "the stalled rank sleeps 60 s; only the watchdog ends the job sooner")
    }
}
