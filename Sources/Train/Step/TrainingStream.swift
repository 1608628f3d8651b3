import Data
import Distributed
import Foundation

/// One rank's data for a run: its share of each global batch (the shares in force at
/// that step), a patch stream per scale (filled ahead in the background), the scale
/// schedule, and the held-out images (mapped: every rank of the group computes a share
/// of each validation).
public final class TrainingStream {
    /// One patch stream per scale, in `config.model.scales` order.
    public let samplers: [PatchSampler]
    /// Held-out images per scale (scored against bicubic).
    public let validation: [Int: [ImagePair]]
    /// Which scale each rank trains at each step.
    public let schedule: ScaleSchedule
    /// HR floats of the largest share the rank may be given at the largest scale: the
    /// size of the loss gradient's buffer and of each prefetch buffer's HR half.
    public let largestHRCount: Int
    /// Seconds `next(step:)` has spent waiting for its batch since the start.
    public private(set) var dataWait = 0.0
    /// The shares in force by step.
    let table: ShareTable

    private let scales: [Int]
    private let rank: Int
    private let prefetcher: Prefetcher

    /// Maps (or generates) the configured images and starts with `shares`, its buffers
    /// sized once for `capacity` samples (the largest share this rank may be given);
    /// `threads` workers build missing cache files.
    init(config: Config, comm: Communicator, threads: Int, shares: BatchShares, capacity: Int) throws {
        (scales, rank) = (config.model.scales, comm.rank)
        // A cache entry changed or damaged under one rank ends every rank together.
        let data = try comm.failTogether { [scales] in
            try TrainingData.load(config.data, scales: scales, seed: config.train.seed, threads: threads)
        }
        samplers = try scales.map { s in
            let pairs = data.train[s] ?? []
            try Dataset.checkPatchFits(pairs, patch: config.train.patchSize)
            return PatchSampler(pairs: pairs, patch: config.train.patchSize, seed: config.train.seed)
        }
        validation = data.validation
        schedule = ScaleSchedule(scales: scales, mode: config.train.scaleSchedule, seed: config.train.seed)
        table = ShareTable(shares)
        largestHRCount = capacity * samplers.map(\.hrCount).max()!
        let (rank, schedule, table, byScale) = (comm.rank, schedule, table, Dictionary(uniqueKeysWithValues: zip(scales, samplers)))
        prefetcher = Prefetcher(lrCount: capacity * samplers[0].lrCount, hrCount: largestHRCount) { step, lr, hr in
            let samples = Self.ranges(table.shares(at: step), schedule: schedule, step: step)[rank]
            byScale[schedule.scale(step: step, rank: rank)]!.fill(step: step, samples: samples, lr: lr, hr: hr)
        }
    }

    /// The first scale's patch stream (EDSR's only one).
    public var sampler: PatchSampler { samplers[0] }

    /// Every rank's samples of global step `t`: ranks training the same scale share
    /// what equal shares give them.
    public func ranges(step t: Int) -> [Range<Int>] { Self.ranges(table.shares(at: t), schedule: schedule, step: t) }

    private static func ranges(_ shares: BatchShares, schedule: ScaleSchedule, step: Int) -> [Range<Int>] {
        shares.ranges { schedule.scale(step: step, rank: $0) }
    }

    /// This rank's batch of global step `t`, its scale and its sample count.
    func next(step t: Int) -> (batch: Prefetcher.Batch, scale: Int, samples: Int) {
        let scale = schedule.scale(step: t, rank: rank)
        let batch = prefetcher.next(step: t)
        dataWait += batch.waitSeconds
        return (batch, scale, ranges(step: t)[rank].count)
    }

    /// HR floats of one sample at `scale`.
    func hrCount(scale: Int) -> Int { samplers[scales.firstIndex(of: scale)!].hrCount }
}
