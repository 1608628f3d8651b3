import Distributed

/// The samples of a global batch of `batch` that rank `rank` of `ranks` computes:
/// `rank·batch/ranks ..< (rank+1)·batch/ranks`. Shares differ by at most one and
/// cover the batch exactly, so uneven splits (batch 16 on 3 ranks: 5, 5, 6) lose
/// nothing; each rank weights its loss by 1/(global batch elements).
public func batchShare(_ batch: Int, rank: Int, ranks: Int) -> Range<Int> {
    precondition(ranks > 0 && (0..<ranks).contains(rank), "batchShare: rank \(rank) outside 0..<\(ranks)")
    return (rank * batch / ranks)..<((rank + 1) * batch / ranks)
}

extension Communicator {
    /// This rank's samples of a global batch (see `batchShare`).
    public func share(of batch: Int) -> Range<Int> { batchShare(batch, rank: rank, ranks: size) }
}

/// How a global batch is split among the ranks: equal shares (`batchShare`), or shares
/// in proportion to integer per-rank weights (relative speeds), each at least one
/// sample and at most `cap`.
///
/// Ranks that train different scales in the same step (MDSR's `per_rank` schedule) form
/// groups: a group keeps the samples equal shares give it, so each scale gets as many
/// samples as it would with equal shares, and only the split inside the group follows
/// the weights. The shares are contiguous in rank order and cover the batch exactly.
public struct BatchShares: Equatable, Sendable {
    public let batch: Int
    public let ranks: Int
    /// Relative speed of each rank (any positive integers; only ratios count); nil: equal shares.
    public let weights: [Int]?
    /// The most samples one rank is given: what its buffers are sized for.
    public let cap: Int

    /// Equal shares, `batchShare`'s.
    public static func equal(batch: Int, ranks: Int) -> BatchShares {
        BatchShares(batch: batch, ranks: ranks, weights: nil, cap: (batch + ranks - 1) / ranks)
    }

    /// Shares following `weights`, each at most `maxFactor` × the equal share (rounded
    /// up, never below it) and leaving every other rank at least one sample.
    /// - Precondition: one positive weight per rank, `batch ≥ ranks`.
    public init(batch: Int, ranks: Int, weights: [Int], maxFactor: Double) {
        precondition(weights.count == ranks && weights.allSatisfy { $0 > 0 }, "BatchShares: one positive weight per rank")
        self.init(batch: batch, ranks: ranks, weights: weights, cap: Self.cap(batch: batch, ranks: ranks, maxFactor: maxFactor))
    }

    /// The largest share weighted shares may give: `maxFactor` × the equal share, rounded
    /// up, at least the largest equal share, at most what leaves one sample to every other rank.
    public static func cap(batch: Int, ranks: Int, maxFactor: Double) -> Int {
        let equalCap = (batch + ranks - 1) / ranks
        let factorCap = Int((maxFactor * Double(batch) / Double(ranks)).rounded(.up))
        return min(batch - ranks + 1, max(equalCap, factorCap))
    }

    private init(batch: Int, ranks: Int, weights: [Int]?, cap: Int) {
        precondition(batch >= ranks && ranks > 0, "BatchShares: batch \(batch) on \(ranks) ranks")
        (self.batch, self.ranks, self.weights, self.cap) = (batch, ranks, weights, cap)
    }

    /// Samples per rank; `group(r)` names rank r's group (its scale at this step).
    public func counts(group: (Int) -> Int = { _ in 0 }) -> [Int] {
        var counts = (0..<ranks).map { batchShare(batch, rank: $0, ranks: ranks).count }
        guard let weights else { return counts }
        var members: [Int: [Int]] = [:]
        for r in 0..<ranks { members[group(r), default: []].append(r) }
        for ranksOfGroup in members.values {
            let total = ranksOfGroup.reduce(0) { $0 + counts[$1] }
            let split = proportional(total, weights: ranksOfGroup.map { weights[$0] })
            for (r, n) in zip(ranksOfGroup, split) { counts[r] = n }
        }
        return counts
    }

    /// Contiguous sample ranges per rank, from `counts`.
    public func ranges(group: (Int) -> Int = { _ in 0 }) -> [Range<Int>] {
        var start = 0
        return counts(group: group).map { n in defer { start += n }; return start..<(start + n) }
    }

    /// `total` split by cumulative rounding (rank k ends at ⌊total·W_≤k / W⌋, which for
    /// equal weights is `batchShare`'s split), then moved one sample at a time into
    /// `1…cap`: from the largest share to a share below one, from a share over the cap to
    /// the smallest; then one sample at a time from the slowest rank (largest n/w) to the
    /// one that stays fastest with it, while that shortens the slowest (rounding down
    /// alone can leave a 10 | 6 where 11 | 5 is faster).
    private func proportional(_ total: Int, weights w: [Int]) -> [Int] {
        let sum = w.reduce(0, +)
        var cumulative = 0, previous = 0
        var n = w.map { wk -> Int in
            cumulative += wk
            let end = total * cumulative / sum
            defer { previous = end }
            return end - previous
        }
        while let low = n.indices.first(where: { n[$0] < 1 }) {
            let donor = n.indices.max { n[$0] < n[$1] }!
            (n[low], n[donor]) = (n[low] + 1, n[donor] - 1)
        }
        while let high = n.indices.first(where: { n[$0] > cap }) {
            let taker = n.indices.min { n[$0] < n[$1] }!
            (n[high], n[taker]) = (n[high] - 1, n[taker] + 1)
        }
        // n/w compared as n·w' < n'·w: exact in integers.
        func slower(_ a: (Int, Int), _ b: (Int, Int)) -> Bool { a.0 * b.1 > b.0 * a.1 }
        while true {
            let slowest = n.indices.filter { n[$0] > 1 }.max { slower((n[$1], w[$1]), (n[$0], w[$0])) }
            let taker = n.indices.filter { n[$0] < cap }.min { slower((n[$1] + 1, w[$1]), (n[$0] + 1, w[$0])) }
            guard let from = slowest, let to = taker, from != to,
                  n.indices.allSatisfy({ $0 == from || !slower((n[$0], w[$0]), (n[from], w[from])) }),
                  slower((n[from], w[from]), (n[to] + 1, w[to])) else { return n }
            (n[from], n[to]) = (n[from] - 1, n[to] + 1)
        }
    }
}
