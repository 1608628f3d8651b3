import Distributed
import Foundation

/// `distributed.balance: "measured"` (and `equal`'s advice): each rank records its compute time (forward, loss
/// and backward; no data or communication waits) per unit of work (samples × the
/// direct-convolution FLOPs of a sample at the step's scale) over a window of steps.
/// When the window is full, the ranks gather their medians (one allgather, the same
/// inputs everywhere) and compute the same new shares, weights proportional to speed.
/// The new shares are adopted only when they are predicted to shorten the next window's
/// steps by at least `threshold` (hysteresis: equal speeds and noise change nothing).
final class ShareBalancer {
    /// What a decision found, for the log.
    struct Decision {
        /// Every rank's median seconds per unit of work.
        var costs: [Double]
        /// The candidate shares, and whether they were adopted.
        var shares: BatchShares
        var adopted: Bool
        /// Predicted seconds per step of the next window with the old and the new shares.
        var before: Double, after: Double
    }

    let spec: BalanceSpec
    /// Work units of one sample per scale.
    let work: [Int: Double]
    private var costs: [Double] = []

    init(spec: BalanceSpec, work: [Int: Double]) { (self.spec, self.work) = (spec, work) }

    /// Records one step of this rank: `seconds` of compute on `samples` at `scale`.
    func record(seconds: Double, samples: Int, scale: Int) {
        costs.append(seconds / (Double(samples) * work[scale]!))
    }

    /// True when a window is full (the same on every rank: every rank records every step).
    var due: Bool { costs.count >= spec.window }

    /// The collective decision at the start of step `t` (call on every rank when `due`):
    /// new shares for steps `t + 1…` (step t's batch is already being filled), or the
    /// current ones kept.
    func decide(step t: Int, comm: Communicator, current: BatchShares, schedule: ScaleSchedule) throws -> Decision {
        let mine = costs.sorted()[costs.count / 2]
        costs.removeAll(keepingCapacity: true)
        let all = try comm.allgather([mine]).map { $0[0] }
        let candidate = BatchShares(batch: current.batch, ranks: current.ranks, weights: Self.weights(costs: all),
                                    maxFactor: spec.maxFactor)
        let steps = (t + 1)..<(t + 1 + spec.window)
        let before = predictedSeconds(current, costs: all, steps: steps, schedule: schedule)
        let after = predictedSeconds(candidate, costs: all, steps: steps, schedule: schedule)
        let adopted = candidate != current && after <= before * (1 - spec.threshold)
        return Decision(costs: all, shares: candidate, adopted: adopted, before: before, after: after)
    }

    /// Integer weights proportional to speed (1/cost), the fastest rank 1000: integers,
    /// so the shares they give are exact and can be stored and replayed.
    static func weights(costs: [Double]) -> [Int] {
        let fastest = costs.min()!
        return costs.map { max(1, Int((1000 * fastest / $0).rounded())) }
    }

    /// Mean seconds per step over `steps` with `shares`: each step waits for its slowest rank.
    func predictedSeconds(_ shares: BatchShares, costs: [Double], steps: Range<Int>, schedule: ScaleSchedule) -> Double {
        var total = 0.0
        for t in steps {
            let scales = (0..<shares.ranks).map { schedule.scale(step: t, rank: $0) }
            let counts = shares.counts { scales[$0] }
            total += counts.indices.map { Double(counts[$0]) * costs[$0] * work[scales[$0]]! }.max()!
        }
        return total / Double(steps.count)
    }
}
