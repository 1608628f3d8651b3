import Data
import Distributed
import Foundation

/// One rank's data for a run: its share of the global batch, a patch stream per scale
/// (filled ahead in the background), the scale schedule, and the held-out images
/// (mapped: every rank of the group computes a share of each validation).
public final class TrainingStream {
    /// One patch stream per scale, in `config.model.scales` order.
    public let samplers: [PatchSampler]
    /// Held-out images per scale (scored against bicubic).
    public let validation: [Int: [ImagePair]]
    /// This rank's contiguous share of the global batch.
    public let share: Range<Int>
    /// Which scale each rank trains at each step.
    public let schedule: ScaleSchedule
    /// HR floats of the largest scale's share of a batch (the loss gradient's size).
    public let largestHRCount: Int
    /// Seconds `next(step:)` has spent waiting for its batch since the start.
    public private(set) var dataWait = 0.0

    private let scales: [Int]
    private let rank: Int
    private let prefetcher: Prefetcher

    /// Maps (or generates) the configured images and starts filling rank `rank`'s
    /// first batch; `threads` workers build missing cache files.
    init(config: Config, comm: Communicator, threads: Int) throws {
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
        let share = comm.share(of: config.train.batchSize)
        self.share = share
        largestHRCount = share.count * samplers.map(\.hrCount).max()!
        let (rank, schedule, byScale) = (comm.rank, schedule, Dictionary(uniqueKeysWithValues: zip(scales, samplers)))
        prefetcher = Prefetcher(lrCount: share.count * samplers[0].lrCount, hrCount: largestHRCount) { step, lr, hr in
            byScale[schedule.scale(step: step, rank: rank)]!.fill(step: step, samples: share, lr: lr, hr: hr)
        }
    }

    /// The first scale's patch stream (EDSR's only one).
    public var sampler: PatchSampler { samplers[0] }

    /// This rank's batch of global step `t`, its scale and its HR float count.
    func next(step t: Int) -> (batch: Prefetcher.Batch, scale: Int, hrCount: Int) {
        let scale = schedule.scale(step: t, rank: rank)
        let batch = prefetcher.next(step: t)
        dataWait += batch.waitSeconds
        return (batch, scale, share.count * samplers[scales.firstIndex(of: scale)!].hrCount)
    }
}
