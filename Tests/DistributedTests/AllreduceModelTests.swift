import Distributed
import XCTest

/// `srdist plan`'s allreduce model: the formulas of its documentation, per bucket.
final class AllreduceModelTests: XCTestCase {
    let model = AllreduceModel(linkBytesPerSecond: 1.25e8, linkLatency: 20e-6)

    func testRingForLargeBucketsRecursiveDoublingForSmallOnes() {
        // 87 052 bytes over 2 nodes × 2 ranks: ring 6·(20 µs + 87052/(4·1.25e8)) = 1.1646 ms; doubling 2·(20 µs + 696 µs).
        XCTAssertEqual(model.seconds(bytes: 87_052, nodes: 2, ranksPerNode: 2), 6 * (20e-6 + 87_052 / 5e8), accuracy: 1e-12)
        // 32 bytes over 16 ranks: doubling 4·(20 µs + 32/1.25e8) beats the ring's 30 latencies.
        XCTAssertEqual(model.seconds(bytes: 32, nodes: 16, ranksPerNode: 1), 4 * (20e-6 + 32 / 1.25e8), accuracy: 1e-12)
        // One node: shared memory, 5 GB/s and 1 µs; at 2 ranks one exchange of the whole bucket
        // (201 µs) beats the ring's two of half of it (202 µs).
        XCTAssertEqual(model.seconds(bytes: 1_000_000, nodes: 1, ranksPerNode: 2), 1e-6 + 1e6 / 5e9, accuracy: 1e-12)
        XCTAssertEqual(model.seconds(bytes: 1_000_000, nodes: 1, ranksPerNode: 1), 0)
        XCTAssertEqual(model.seconds(buckets: [87_052, 87_052], nodes: 2, ranksPerNode: 2), 2 * model.seconds(bytes: 87_052, nodes: 2, ranksPerNode: 2))
    }

    func testLinkSpeeds() {
        XCTAssertEqual(AllreduceModel.linkSpeed("25gbit"), 25e9 / 8)
        XCTAssertEqual(AllreduceModel.linkSpeed("100Mbit"), 100e6 / 8)
        XCTAssertEqual(AllreduceModel.linkSpeed("1.5gbit"), 1.5e9 / 8)
        for bad in ["10", "gbit", "-1gbit", "10gb", "nangbit"] { XCTAssertNil(AllreduceModel.linkSpeed(bad), bad) }
    }
}
