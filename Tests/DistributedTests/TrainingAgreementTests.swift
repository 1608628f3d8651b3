import Foundation
import XCTest

/// Data-parallel training of a tiny EDSR through the harness: same parameters at any
/// rank count, same bits at the same rank count, identical ranks after every step,
/// NaN skipped together.
final class TrainingAgreementTests: MPITestCase {
    /// Global batch 6: shares 6 | 3,3 | 1,2,1,2 (uneven at 4 ranks).
    private func train(_ np: Int, _ extra: [String] = [], environment: [String: String] = [:]) throws -> (MPIRunResult, [Float]) {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("srdist-train-\(np)-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try mpirun(np, ["train", "--steps", "4", "--batch", "6", "--out", out.path] + extra, environment: environment)
        let data = (try? Data(contentsOf: out)) ?? Data()
        return (r, data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })
    }

    /// The `params` hashes each rank printed, one per step.
    private func hashes(_ r: MPIRunResult, rank: Int) -> [String] {
        r.lines(rank: rank).compactMap { line in line.range(of: "params ").map { String(line[$0.upperBound...]) } }
    }

    func testParametersAgreeAcrossRankCountsAndRepeatBitForBit() throws {
        let (r1, p1) = try train(1)
        let (r2, p2) = try train(2)
        let (r2b, p2b) = try train(2)
        let (r4, p4) = try train(4)
        for (r, np) in [(r1, 1), (r2, 2), (r2b, 2), (r4, 4)] { assertOK(r, np: np, "train") }
        XCTAssertFalse(p1.isEmpty)
        XCTAssertEqual(p2, p2b, "two -np 2 runs must agree bit for bit")
        // Only the summation order of the gradient differs between rank counts (a few
        // float32 ulps per step), so after 4 Adam steps the arenas stay within 1e-6 of
        // each other in relative L2 norm (measured ~1e-8); a wrong average (over ranks
        // instead of the global batch) would differ by ~1e-3.
        for (p, np) in [(p2, 2), (p4, 4)] {
            XCTAssertEqual(p.count, p1.count)
            XCTAssertLessThan(relativeDistance(p, p1), 1e-6, "-np \(np) vs -np 1")
        }
        // The harness checked all ranks' hashes after every step; they also printed them.
        for (r, np) in [(r2, 2), (r4, 4)] {
            let rank0 = hashes(r, rank: 0)
            XCTAssertEqual(rank0.count, 4, r.output)
            for rank in 1..<np { XCTAssertEqual(hashes(r, rank: rank), rank0) }
        }
    }

    func testNaNOnOneRankIsSkippedByEveryRank() throws {
        let (r, _) = try train(2, environment: ["SRDIST_TEST_INJECT_NAN": "1:2"])
        assertOK(r, np: 2, "train")
        for rank in 0..<2 {
            let steps = r.lines(rank: rank).filter { $0.contains(" step ") }
            XCTAssertEqual(steps.map { $0.contains("skipped") }, [false, false, true, false], r.output)
            XCTAssertTrue(r.lines(rank: rank).contains { $0.contains("skipped 1 steps") }, r.output)
        }
        XCTAssertEqual(hashes(r, rank: 0), hashes(r, rank: 1))
        XCTAssertEqual(hashes(r, rank: 0)[1], hashes(r, rank: 0)[2], "a skipped step must leave the parameters unchanged")
    }

    func testTooManyConsecutiveSkipsStopsTheRun() throws {
        let (r, _) = try train(2, ["--max-skips", "2"], environment: ["SRDIST_TEST_INJECT_NAN": "0:1-3"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.output.contains("error: stopping after 2 consecutive steps with a non-finite loss or gradient"), r.output)
        XCTAssertFalse(r.output.contains("step 3"), "every rank must stop after step 2:\n\(r.output)")
    }
}

/// ‖a − b‖₂ / ‖b‖₂ in Double.
func relativeDistance(_ a: [Float], _ b: [Float]) -> Double {
    var (d, n) = (0.0, 0.0)
    for (x, y) in zip(a, b) { d += Double(x - y) * Double(x - y); n += Double(y) * Double(y) }
    return (d / max(n, .leastNonzeroMagnitude)).squareRoot()
}
