import Distributed
import Foundation
@testable import Train
import XCTest

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

    func testACommunicatorOfOneRankTakesTheWholeBatch() throws {
        let comm = try Communicator.initialize(threadLevel: .multiple)
        XCTAssertEqual(comm.share(of: 16), 0..<16)
    }

    func testEqualWeightsGiveTheEqualShares() {
        for (batch, ranks) in [(16, 3), (6, 4), (17, 5), (12, 12)] {
            let equal = (0..<ranks).map { batchShare(batch, rank: $0, ranks: ranks) }
            XCTAssertEqual(BatchShares.equal(batch: batch, ranks: ranks).ranges(), equal)
            XCTAssertEqual(BatchShares(batch: batch, ranks: ranks, weights: Array(repeating: 7, count: ranks), maxFactor: 2).ranges(), equal)
        }
    }

    func testWeightedSharesCoverTheBatchWithinOneAndTheCap() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let ranks = Int.random(in: 1...9, using: &rng), batch = Int.random(in: ranks...64, using: &rng)
            let weights = (0..<ranks).map { _ in Int.random(in: 1...1000, using: &rng) }
            let factor = [1.0, 1.5, 2, 4].randomElement(using: &rng)!
            let groups = (0..<ranks).map { _ in Int.random(in: 0...2, using: &rng) }
            let shares = BatchShares(batch: batch, ranks: ranks, weights: weights, maxFactor: factor)
            let ranges = shares.ranges { groups[$0] }
            XCTAssertEqual(ranges.first?.lowerBound, 0)
            XCTAssertEqual(ranges.last?.upperBound, batch, "\(weights) \(batch)")
            for (a, b) in zip(ranges, ranges.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
            XCTAssertTrue(ranges.allSatisfy { (1...shares.cap).contains($0.count) }, "\(ranges) cap \(shares.cap)")
            XCTAssertLessThanOrEqual(shares.cap, max((batch + ranks - 1) / ranks, Int((factor * Double(batch) / Double(ranks)).rounded(.up))))
            // Each group keeps what equal shares give it (each scale its samples).
            for g in Set(groups) {
                let members = (0..<ranks).filter { groups[$0] == g }
                XCTAssertEqual(members.map { ranges[$0].count }.reduce(0, +),
                               members.map { batchShare(batch, rank: $0, ranks: ranks).count }.reduce(0, +))
            }
        }
    }

    func testSharesFollowTheWeights() {
        // 16 · 2/3 = 10.7: 11 | 5 (11 and 10 time units) beats 10 | 6 (10 and 12).
        XCTAssertEqual(BatchShares(batch: 16, ranks: 2, weights: [1000, 500], maxFactor: 2).counts(), [11, 5])
        XCTAssertEqual(BatchShares(batch: 16, ranks: 2, weights: [1000, 1], maxFactor: 2).counts(), [15, 1])
        // The cap: at most 1.25 × the equal share of 8.
        XCTAssertEqual(BatchShares(batch: 16, ranks: 2, weights: [1000, 1], maxFactor: 1.25).counts(), [10, 6])
        // MDSR per_rank: ranks 0 and 2 train one scale, 1 and 3 another; each pair keeps 8 of 16.
        let shares = BatchShares(batch: 16, ranks: 4, weights: [1000, 1000, 250, 1000], maxFactor: 2)
        XCTAssertEqual(shares.counts { $0 % 2 }, [7, 4, 1, 4])
    }

    func testBalancerWeightsAndPredictedStepTime() {
        XCTAssertEqual(ShareBalancer.weights(costs: [1, 2, 4]), [1000, 500, 250])
        var spec = try! Config.parse(Data(#"{"model": {"scale": 2}, "train": {"steps": 1}}"#.utf8), file: "t").distributed.balance
        spec.window = 4
        let balancer = ShareBalancer(spec: spec, work: [2: 1])
        let schedule = ScaleSchedule(scales: [2], mode: .perStep, seed: 1)
        let equal = BatchShares.equal(batch: 12, ranks: 2), balanced = BatchShares(batch: 12, ranks: 2, weights: [1000, 500], maxFactor: 2)
        // Rank 1 at half speed: 6 samples take 12 units; 8 | 4 take 8 units on both.
        XCTAssertEqual(balancer.predictedSeconds(equal, costs: [1, 2], steps: 0..<4, schedule: schedule), 12)
        XCTAssertEqual(balancer.predictedSeconds(balanced, costs: [1, 2], steps: 0..<4, schedule: schedule), 8)
    }
}
