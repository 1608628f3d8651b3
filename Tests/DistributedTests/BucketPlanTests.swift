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

final class AllFiniteTests: XCTestCase {
    func testAllFiniteSeesNaNAndInfinity() {
        XCTAssertTrue(allFinite([0, -1, 3e38], count: 3))
        XCTAssertFalse(allFinite([0, .nan], count: 2))
        XCTAssertFalse(allFinite([-.infinity, 0], count: 2))
    }
}
