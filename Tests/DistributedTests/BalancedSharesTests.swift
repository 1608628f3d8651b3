import Foundation
import XCTest

/// `distributed.balance` through the harness's tiny EDSR: shares that follow a rank
/// slowed by `SRDIST_TEST_INJECT_DELAY` give the parameters of equal shares up to the
/// gradient's summation order; fixed shares repeat bit for bit.
final class BalancedSharesTests: MPITestCase {
    /// Global batch 12 over `steps` steps; returns the run, the final parameters and
    /// rank 0's shares per step.
    private func train(_ np: Int, steps: Int, _ extra: [String] = [], delay: String? = nil) throws -> (MPIRunResult, [Float], [[Int]]) {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("srdist-balance-\(np)-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try mpirun(np, ["train", "--steps", String(steps), "--batch", "12", "--threads", "1", "--out", out.path] + extra,
                           environment: delay.map { ["SRDIST_TEST_INJECT_DELAY": $0] } ?? [:])
        assertOK(r, np: np, "train")
        let params = ((try? Data(contentsOf: out)) ?? Data()).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let shares = r.lines(rank: 0).compactMap { line -> [Int]? in
            guard let s = line.range(of: "shares "), let e = line.range(of: " params") else { return nil }
            return line[s.upperBound..<e.lowerBound].split(separator: ",").compactMap { Int($0) }
        }
        return (r, params, shares)
    }

    func testMeasuredSharesGiveTheEqualSharesParametersUpToSummationOrder() throws {
        let (_, reference, _) = try train(1, steps: 8)
        XCTAssertFalse(reference.isEmpty)
        for np in [2, 3] {
            let (r, params, shares) = try train(np, steps: 8, ["--balance", "measured", "--window", "2"], delay: "1:15")
            XCTAssertEqual(shares.count, 8, r.output)
            XCTAssertTrue(shares.allSatisfy { $0.reduce(0, +) == 12 && $0.allSatisfy { $0 >= 1 } }, "\(shares)")
            // Rank 1 sleeps 15 ms a sample: after the first window it computes fewer samples than rank 0.
            XCTAssertEqual(shares[0], Array(repeating: 12 / np, count: np))
            XCTAssertLessThan(shares[7][1], shares[7][0], "-np \(np): \(shares)\n\(r.output)")
            // As in TrainingAgreementTests: other summation orders stay within 1e-6 (a
            // wrong weighting of uneven shares would be ~1e-3 off).
            XCTAssertLessThan(relativeDistance(params, reference), 1e-6, "-np \(np) measured vs -np 1")
        }
    }

    func testASlowedRankGetsASmallerShareWithinTheWindow() throws {
        // Rank 1 slows from step 8; the window of steps 8–11 is decided at the start of
        // step 12 and applies from step 13.
        let (r, _, shares) = try train(2, steps: 16, ["--balance", "measured", "--window", "4"], delay: "1:15@8-99")
        XCTAssertEqual(shares.count, 16, r.output)
        XCTAssertTrue(shares[13...].allSatisfy { $0[1] < 6 }, "from step 13: \(shares)\n\(r.output)")
    }

    func testFixedSharesRepeatBitForBit() throws {
        let (_, reference, _) = try train(1, steps: 4)
        let (_, a, sharesA) = try train(2, steps: 4, ["--balance", "fixed", "--weights", "3,1"])
        let (_, b, _) = try train(2, steps: 4, ["--balance", "fixed", "--weights", "3,1"])
        XCTAssertEqual(sharesA, Array(repeating: [9, 3], count: 4))
        XCTAssertEqual(a, b, "two runs with the same shares must agree bit for bit")
        XCTAssertLessThan(relativeDistance(a, reference), 1e-6)
    }
}
