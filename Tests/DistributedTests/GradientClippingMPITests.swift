import Foundation
import XCTest

/// `train.grad_clip` on 1 and 2 ranks (mpi-harness `clip`): the norm of the summed
/// gradient is the hand-computed one, the same bits on every rank, and the clipped
/// gradient has the bound's norm.
final class GradientClippingMPITests: MPITestCase {
    /// (reported norm, hand-computed norm of the applied gradient) per rank.
    func norms(_ r: MPIRunResult, np: Int) throws -> [(Double, Double)] {
        assertOK(r, np: np, "clip")
        return try (0..<np).map { rank in
            let line = try XCTUnwrap(r.lines(rank: rank).first { $0.contains(" norm ") }, r.output)
            let words = line.split(separator: " ")
            return (Double(words[3])!, Double(words[5])!)
        }
    }

    func testClippingOnOneAndTwoRanks() throws {
        // One rank, no clipping: the trainer's norm is the plain sum's.
        let single = try norms(try mpirun(1, ["clip", "--clip", "0"]), np: 1)[0]
        XCTAssertGreaterThan(single.0, 0)
        XCTAssertEqual(single.0, single.1, accuracy: 1e-12 * single.1)
        let bound = single.0 / 4
        // Two ranks share the same global batch: the summed gradient has the same norm
        // (up to the reduction's rounding), both ranks report it, and Adam gets the clipped one.
        let pair = try norms(try mpirun(2, ["clip", "--clip", String(bound)]), np: 2)
        XCTAssertEqual(pair[0].0, pair[1].0)
        XCTAssertEqual(pair[0].0, single.0, accuracy: 1e-5 * single.0)
        for (_, applied) in pair { XCTAssertEqual(applied, bound, accuracy: 1e-5 * bound) }
    }
}
