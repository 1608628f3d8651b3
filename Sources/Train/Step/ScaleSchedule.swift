import Kernels

/// Which scale each rank trains at each global step — a pure function of (seed, step,
/// rank), so every rank computes every other rank's choice without a message and a
/// run is reproducible at any rank count.
///
/// - `per_step` (the paper's MDSR): one scale per global step, drawn from a seeded
///   stream as a random permutation of the scales per block of S steps, so the scales
///   stay in random order yet every scale gets exactly 1/S of the steps.
/// - `per_rank`: rank r trains `scales[(r + t) mod S]` at step t, so every step trains
///   all scales once there are at least S ranks, and each scale gets 1/S of the steps.
public struct ScaleSchedule: Sendable {
    /// How the scales are dealt out (`train.scale_schedule`).
    public enum Mode: String, Sendable, CaseIterable {
        /// One scale per global step, every rank alike (the paper).
        case perStep = "per_step"
        /// Rank r trains `scales[(r + t) mod S]` at step t.
        case perRank = "per_rank"
    }

    public let scales: [Int]
    public let mode: Mode
    let rng: CounterRandom

    public init(scales: [Int], mode: Mode, seed: UInt64) {
        (self.scales, self.mode) = (scales, mode)
        rng = CounterRandom(seed: seed ^ 0x5CA1_E5)
    }

    public func scale(step: Int, rank: Int) -> Int {
        guard scales.count > 1 else { return scales[0] }
        if mode == .perRank { return scales[(rank + step) % scales.count] }
        // Fisher–Yates shuffle of the scales for this step's block.
        let block = UInt64(step / scales.count)
        var order = scales
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, rng.below(i + 1, block, UInt64(i)))
        }
        return order[step % scales.count]
    }

    /// How many samples of the global batch each scale gets at `step` with equal shares.
    public func samplesPerScale(step: Int, batch: Int, ranks: Int) -> [Int: Int] {
        samplesPerScale(step: step, counts: (0..<ranks).map { batchShare(batch, rank: $0, ranks: ranks).count })
    }

    /// How many samples each scale gets at `step` when rank r computes `counts[r]`.
    public func samplesPerScale(step: Int, counts: [Int]) -> [Int: Int] {
        var perScale: [Int: Int] = [:]
        for (r, n) in counts.enumerated() { perScale[scale(step: step, rank: r), default: 0] += n }
        return perScale
    }
}
