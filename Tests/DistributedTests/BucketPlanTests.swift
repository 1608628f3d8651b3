import Distributed
import XCTest

final class BucketPlanTests: XCTestCase {
    /// EDSR-baseline ×2's tensor offsets have the same structure as this: many equal
    /// layers, so the plan's invariants are checked on a layout of that shape.
    let layers = (0..<36).map { $0 * 36_928 }
    let count = 36 * 36_928

    func testBucketsCoverTheArenaInReverseOrderAtBoundaries() {
        let ranges = GradientBuckets.plan(count: count, boundaries: layers, bucketSize: 100_000, firstBucketSize: 30_000)
        XCTAssertEqual(ranges.first?.upperBound, count)
        XCTAssertEqual(ranges.last?.lowerBound, 0)
        for (a, b) in zip(ranges, ranges.dropFirst()) { XCTAssertEqual(a.lowerBound, b.upperBound, "contiguous, descending") }
        for r in ranges { XCTAssertTrue(layers.contains(r.lowerBound), "bucket \(r) starts inside a layer") }
        XCTAssertEqual(ranges[0].count, 36_928, "first bucket: the smallest run of layers ≥ 30 000")
        XCTAssertTrue(ranges.dropFirst().dropLast().allSatisfy { $0.count == 3 * 36_928 }, "\(ranges)")
    }

    func testHugeBucketsGiveOneBucketAndTinyOnesOnePerLayer() {
        XCTAssertEqual(GradientBuckets.plan(count: count, boundaries: layers, bucketSize: .max, firstBucketSize: .max), [0..<count])
        XCTAssertEqual(GradientBuckets.plan(count: count, boundaries: layers, bucketSize: 1, firstBucketSize: 1).count, 36)
        XCTAssertEqual(GradientBuckets.plan(count: 10, boundaries: [], bucketSize: 1, firstBucketSize: 1), [0..<10])
    }
}

final class BatchShareTests: XCTestCase {
    func testSharesCoverTheGlobalBatchExactly() {
        for batch in [1, 5, 6, 16, 17] {
            for ranks in 1...min(batch, 7) {
                let shares = (0..<ranks).map { batchShare(batch, rank: $0, ranks: ranks) }
                XCTAssertEqual(shares.first?.lowerBound, 0)
                XCTAssertEqual(shares.last?.upperBound, batch)
                for (a, b) in zip(shares, shares.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
                XCTAssertLessThanOrEqual(Set(shares.map(\.count)).count, 2, "shares differ by at most one")
            }
        }
        XCTAssertEqual((0..<3).map { batchShare(16, rank: $0, ranks: 3).count }, [5, 5, 6])
    }
}

final class ThreadBudgetTests: XCTestCase {
    func testConfigThenOMPThenCoresPerLocalRank() {
        XCTAssertEqual(threadsPerRank(configured: 3, environment: ["OMP_NUM_THREADS": "2"], cores: 8), 3)
        XCTAssertEqual(threadsPerRank(configured: 0, environment: ["OMP_NUM_THREADS": "2"], cores: 8), 2)
        XCTAssertEqual(threadsPerRank(configured: 0, environment: ["OMPI_COMM_WORLD_LOCAL_SIZE": "4"], cores: 8), 2)
        XCTAssertEqual(threadsPerRank(configured: 0, environment: ["OMPI_COMM_WORLD_LOCAL_SIZE": "4"], cores: 2), 1)
        XCTAssertEqual(threadsPerRank(configured: 0, environment: ["OMP_NUM_THREADS": "x"], cores: 2), 2)
    }
}

final class FaultInjectionTests: XCTestCase {
    func testParsesRanksAndStepRanges() throws {
        let f = try FaultInjection(environment: [FaultInjection.variable: "1:3,0:5-7"])
        XCTAssertTrue(f.injectsNaN(rank: 1, step: 3))
        XCTAssertFalse(f.injectsNaN(rank: 0, step: 3))
        XCTAssertEqual((4...8).map { f.injectsNaN(rank: 0, step: $0) }, [false, true, true, true, false])
        XCTAssertFalse(try FaultInjection(environment: [:]).injectsNaN(rank: 0, step: 0))
    }

    func testMalformedValueNamesTheVariable() {
        for bad in ["1", "a:3", "1:5-3", "1:2-3-4", "1:"] {
            XCTAssertThrowsError(try FaultInjection(environment: [FaultInjection.variable: bad]), bad) {
                XCTAssertEqual(describe($0), "SRDIST_TEST_INJECT_NAN: expected RANK:STEP or RANK:FIRST-LAST, got \"\(bad)\"")
            }
        }
    }
}

final class StableHashTests: XCTestCase {
    func testHashSeesEveryBitAndSeparatesStrings() {
        var a: [Float] = [1, 2, 3]
        let h = StableHash.of(a, count: 3)
        a[2] = Float(bitPattern: a[2].bitPattern ^ 1)
        XCTAssertNotEqual(StableHash.of(a, count: 3), h)
        var x = StableHash(), y = StableHash()
        x.add("ab"); x.add("c")
        y.add("a"); y.add("bc")
        XCTAssertNotEqual(x.value, y.value)
        XCTAssertEqual(StableHash.of("edsr"), StableHash.of("edsr"))
        XCTAssertTrue(allFinite([0, -1, 3e38], count: 3))
        XCTAssertFalse(allFinite([0, .nan], count: 2))
        XCTAssertFalse(allFinite([-.infinity, 0], count: 2))
    }
}
