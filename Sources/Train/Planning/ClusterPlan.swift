import Distributed
import Foundation
import Models

/// `srdist plan`'s prediction for one cluster size: a step is this node's measured
/// compute for the largest share, plus the gradient allreduce (`AllreduceModel`) that
/// backward does not hide, plus the per-step agreement's small allreduce.
public struct PlanRow: Equatable, Sendable {
    public var nodes: Int
    public var ranks: Int
    /// Samples of the largest rank share (equal shares: ⌈batch / ranks⌉).
    public var share: Int
    /// Seconds of forward, backward and update for `share` samples.
    public var computeSeconds: Double
    /// Seconds of the whole bucketed allreduce, and the part of it backward does not hide.
    public var communicationSeconds: Double
    public var exposedSeconds: Double
    public var stepSeconds: Double
    public var samplesPerSecond: Double
    /// Seconds to the config's step count (training only: validations and start-up excluded).
    public var totalSeconds: Double
    public var coreHours: Double
    /// Exposed communication over the step.
    public var exposedShare: Double

    public var json: [String: Any] {
        ["nodes": nodes, "ranks": ranks, "share": share, "compute_seconds": computeSeconds, "communication_seconds": communicationSeconds,
         "exposed_seconds": exposedSeconds, "seconds_per_step": stepSeconds, "samples_per_second": samplesPerSecond,
         "total_seconds": totalSeconds, "core_hours": coreHours, "network_exposed_share": exposedShare]
    }
}

/// What a plan is computed from besides the cluster sizes.
public struct ClusterPlan {
    public let config: Config
    public let ranksPerNode: Int
    public let threads: Int
    public let network: AllreduceModel
    /// Bucket sizes in bytes, in reduction order (the last one starts when backward ends).
    public let buckets: [Int]
    /// Backward's share of a step's convolution FLOPs: the time the allreduce can hide in.
    public let backwardShare: Double

    /// The buckets and FLOP shares of `config`'s model (built once, not trained).
    public init(config: Config, ranksPerNode: Int, threads: Int, network: AllreduceModel, model: SuperResolutionNetwork) {
        (self.config, self.ranksPerNode, self.threads, self.network) = (config, ranksPerNode, threads, network)
        let count = model.layout.count
        buckets = GradientBuckets.plan(count: count, boundaries: model.layout.views.map(\.offset),
                                       bucketSize: config.distributed.bucketSize, firstBucketSize: config.distributed.firstBucketSize)
            .map { $0.count * MemoryLayout<Float>.size }
        let p = config.train.patchSize
        let forward = model.convShapes(n: 1, h: p, w: p, scale: config.model.scales[0]).reduce(0.0) { $0 + $1.flops }
        let train = Benchmark.trainFlops(model, n: 1, h: p, w: p, scale: config.model.scales[0])
        backwardShare = (train - forward) / train
    }

    /// The largest equal share on `nodes` nodes, or nil when the batch has fewer samples than ranks.
    public func share(nodes: Int) -> Int? {
        let ranks = nodes * ranksPerNode, batch = config.train.batchSize
        return ranks <= batch ? (batch + ranks - 1) / ranks : nil
    }

    /// The prediction for `nodes` nodes, given the compute seconds of its share.
    public func row(nodes: Int, computeSeconds: Double) -> PlanRow {
        let ranks = nodes * ranksPerNode, share = self.share(nodes: nodes) ?? 1
        let comm = network.seconds(buckets: buckets, nodes: nodes, ranksPerNode: ranksPerNode)
        // The last bucket starts only when backward ends; the others overlap with backward.
        let last = network.seconds(bytes: buckets.last ?? 0, nodes: nodes, ranksPerNode: ranksPerNode)
        let exposed = ranks > 1 ? max(last, comm - backwardShare * computeSeconds) : 0
        let agreement = network.seconds(bytes: 4 * MemoryLayout<Double>.size, nodes: nodes, ranksPerNode: ranksPerNode)
        let step = computeSeconds + exposed + agreement
        let total = step * Double(config.train.steps)
        return PlanRow(nodes: nodes, ranks: ranks, share: share, computeSeconds: computeSeconds, communicationSeconds: comm,
                       exposedSeconds: exposed + agreement, stepSeconds: step, samplesPerSecond: Double(config.train.batchSize) / step,
                       totalSeconds: total, coreHours: total * Double(ranks * threads) / 3600, exposedShare: (exposed + agreement) / step)
    }
}
