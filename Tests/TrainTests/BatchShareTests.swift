import Distributed
import Train
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
}
