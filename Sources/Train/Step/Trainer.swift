import Checkpoint
import Data
import Distributed
import Foundation
import Kernels
import Machine
import Metrics
import Models

/// One rank's share of a data-parallel training run: the model and its optimizer step,
/// over this rank's `TrainingStream`. `step(_:)` is the whole loop body: batch,
/// forward, loss, zero grads, backward with bucketed allreduce, agreement, gradient
/// norm (and clipping), update, EMA. Validation is in `Trainer+Validation.swift`,
/// checkpoint contents and rank-0 restores in `Trainer+Checkpoint.swift`.
public final class Trainer {
    public let config: Config
    public let comm: Communicator
    public let model: SuperResolutionNetwork
    public let adam: Adam
    /// What the model's kernels run with.
    public let kernels: KernelContext
    /// This rank's batches, scale schedule and validation images.
    public let data: TrainingStream
    /// Steps trained per scale (on any rank) by this process, for the balance report.
    public private(set) var stepsPerScale: [Int: Int] = [:]

    let buckets: GradientBuckets
    let agreement: StepAgreement
    let faults: FaultInjection
    let dOutput: Arena
    /// Skipped steps restored from a checkpoint (the agreement counts this process's).
    var restoredSkips = 0
    /// Rank 0's moving average of the weights (`train.ema_decay` > 0); nil elsewhere.
    public let ema: EMA?
    /// The ranks of `comm` that compute validation windows: the first
    /// `train.validation_ranks_per_node` (or cores ÷ threads) of each host, divided
    /// among the stage groups on that host (at least one each).
    public let validators: [Int]
    /// Global L2 norm of the summed gradient of the last applied step, before clipping.
    public private(set) var gradientNorm = 0.0

    /// Builds the model (rank 0's initial weights are broadcast) and this rank's data.
    /// - Parameters:
    ///   - kernels: what the convolutions run with, resolved once by the caller
    ///     (`Config.kernelSettings`).
    ///   - communicator: the ranks training together (a singleton without mpirun).
    ///   - groupsOnHost: stage groups with ranks on this host (`RunOptions.groupsOnHost`).
    public init(config: Config, kernels settings: KernelSettings, communicator: Communicator, groupsOnHost: Int = 1) throws {
        self.config = config
        comm = communicator
        try config.check(ranks: comm.size)
        kernels = KernelContext(settings)
        model = config.model.makeNetwork(seed: config.train.seed, kernels: kernels)
        adam = Adam(count: model.layout.count, threads: kernels.threads)
        data = try TrainingStream(config: config, comm: comm, threads: kernels.threads)
        dOutput = Arena(count: data.largestHRCount)
        let count = model.layout.count
        buckets = GradientBuckets(communicator: comm, gradients: model.grads.base, count: count,
                                  ranges: GradientBuckets.plan(count: count, boundaries: model.layout.views.map(\.offset),
                                                               bucketSize: config.distributed.bucketSize,
                                                               firstBucketSize: config.distributed.firstBucketSize))
        agreement = StepAgreement(communicator: comm, maxConsecutiveSkips: config.train.maxSkippedSteps)
        faults = try FaultInjection()
        try comm.broadcastFromRoot([(model.params.base, count)])
        let perNode = computingRanksPerNode(configured: config.train.validationRanksPerNode, threadsPerRank: kernels.threads)
        validators = try comm.firstRanksOnEachHost(max(1, perNode / max(1, groupsOnHost)))
        ema = comm.rank == 0 && config.train.emaDecay > 0 ? EMA(decay: config.train.emaDecay, params: model.params, threads: kernels.threads) : nil
    }

    /// Steps skipped (non-finite values on some rank) over the whole run.
    public var skippedSteps: Int { restoredSkips + agreement.skippedSteps }

    /// Seconds spent waiting for gradient communication after backward, over the run.
    public var exposedCommunication: Double { buckets.exposedSeconds }

    /// Runs global step `t` (0-based) and returns what every rank agreed on: whether
    /// the update was applied, the global mean loss, and whether to stop.
    ///
    /// Each sample's loss is the mean over its HR pixels and the step's loss the mean
    /// over the global batch, so every rank weights its loss gradient by 1/(B·HR pixels)
    /// and the summed gradient is the global mean. With `per_rank` scales, a branch's
    /// gradient is then rescaled to the mean over the samples of its scale only.
    /// - Parameter stopRequested: this rank received a stop signal.
    public func step(_ t: Int, stopRequested: Bool = false) throws -> StepDecision {
        let p = config.train.patchSize, n = data.share.count, batchSize = config.train.batchSize
        comm.watchdog?.step = t
        let (batch, scale, hrCount) = data.next(step: t)
        let sr = model.forward(batch.lr, n: n, h: p, w: p, scale: scale, training: true)
        let loss = l1LossForward(prediction: sr, target: batch.hr, count: hrCount)
        l1LossBackward(dPrediction: dOutput.base, prediction: sr, target: batch.hr, count: hrCount,
                       weight: 1 / Float(batchSize * (hrCount / n)))
        model.zeroGradients()
        if faults.injectsNaN(rank: comm.rank, step: t) { model.grads.base[0] = .nan }
        model.backward(dOutput.base) { self.buckets.ready(from: $0) }
        try buckets.finish()
        let decision = try agreement.agree(loss: loss, lossWeight: Double(n) / Double(batchSize),
                                           gradients: model.grads.base, count: model.layout.count,
                                           stopRequested: stopRequested, finished: t + 1 >= config.train.steps)
        let used = data.schedule.samplesPerScale(step: t, batch: batchSize, ranks: comm.size)
        for s in used.keys { stepsPerScale[s, default: 0] += 1 }
        guard decision.apply else { return decision }
        let lr = config.train.lrSchedule.rate(base: config.train.lr, step: t)
        // Shared modules once; then each branch some rank used (a branch nobody used
        // keeps its weights, moments and step counter).
        var groups: [(branch: String, ranges: [Range<Int>])] = []
        for (s, samples) in used.sorted(by: { $0.key < $1.key }) {
            for group in model.updateGroups(scale: s) where !groups.contains(where: { $0.branch == group.branch }) {
                if group.branch != Adam.sharedBranch && samples != batchSize {
                    let factor = Float(batchSize) / Float(samples)
                    for r in group.ranges { for i in r { model.grads.base[i] *= factor } }
                }
                groups.append(group)
            }
        }
        // The norm of the gradient Adam gets (rescaled branches included); a branch
        // nobody used holds zeros and adds nothing.
        let count = model.layout.count
        gradientNorm = GradientClipping.norm(model.grads.base, count: count, threads: kernels.threads)
        if config.train.gradClip > 0 {
            GradientClipping.clip(model.grads.base, count: count, norm: gradientNorm, maxNorm: config.train.gradClip,
                                  threads: kernels.threads)
        }
        for group in groups {
            adam.update(params: model.params, grads: model.grads, ranges: group.ranges, branch: group.branch, lr: lr)
        }
        ema?.update(from: model.params)
        return decision
    }
}
