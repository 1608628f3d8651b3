import Foundation
import TestSupport
import XCTest

/// `srdist plan` on the tiny config: one row per node count, the allreduce of the
/// documented model, and one clear line for a bad flag.
final class PlanCommandTests: ScratchFolderTestCase {
    func testJSONRowsFollowTheModel() throws {
        let r = try Executables.run(Executables.srdist, ["plan", "--config", tiny, "--nodes", "1,2", "--ranks-per-node", "2",
                                                          "--threads", "1", "--link", "1gbit", "--steps", "1", "--json"])
        XCTAssertEqual(r.status, 0, r.output)
        let line = try XCTUnwrap(r.output.split(separator: "\n").last)
        let plan = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], r.output)
        let rows = try XCTUnwrap(plan["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["nodes"] as? Int }, [1, 2])
        XCTAssertEqual(rows.map { $0["share"] as? Int }, [4, 2])
        // tiny_x2 has 21 763 parameters: one bucket of 87 052 bytes; over 2 nodes × 2 ranks the ring wins.
        XCTAssertEqual(try XCTUnwrap(rows[1]["communication_seconds"] as? Double), 6 * (20e-6 + 87_052 / 5e8), accuracy: 1e-9)
        for row in rows {
            let (step, compute, exposed) = (row["seconds_per_step"] as! Double, row["compute_seconds"] as! Double, row["exposed_seconds"] as! Double)
            XCTAssertGreaterThan(compute, 0)
            XCTAssertEqual(step, compute + exposed, accuracy: 1e-12)
            XCTAssertEqual(row["total_seconds"] as! Double, 300 * step, accuracy: 1e-9)
            XCTAssertEqual(row["samples_per_second"] as! Double, 8 / step, accuracy: 1e-9)
        }
        XCTAssertFalse((plan["assumptions"] as? [String] ?? []).isEmpty)
    }

    func testABadLinkIsOneLine() throws {
        let r = try Executables.run(Executables.srdist, ["plan", "--config", tiny, "--nodes", "2", "--threads", "1", "--link", "fast"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.output.contains("--link must look like 10gbit or 100mbit, got \"fast\""), r.output)
    }
}
