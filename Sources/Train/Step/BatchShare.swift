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
