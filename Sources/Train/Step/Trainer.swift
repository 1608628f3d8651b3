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
    /// The speed measurements and decisions of `measured` balance (with `equal`, they
    /// only advise); nil with `fixed` or one rank.
    let balancer: ShareBalancer?
    /// `equal` balance has said once that measured shares would pay.
    private var advised = false
    /// Every rank's mean compute seconds per step (forward, loss, backward; no waits)
    /// since the previous progress line, gathered at each line's step.
    public private(set) var computeReport: [Double] = []
    private var computeSinceReport = 0.0, stepsSinceReport = 0
    /// Called on every rank after each balance decision that changed the shares (with
    /// `equal`: the first that would have): a line and its fields for the run log.
    public var onShareChange: ((String, [String: Any]) -> Void)?

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
        let balance = config.distributed.balance
        let initial = try communicator.failTogether { try Self.initialShares(config, ranks: communicator.size) }
        let capacity = balance.mode == .equal ? initial.cap
            : BatchShares.cap(batch: config.train.batchSize, ranks: communicator.size, maxFactor: balance.maxFactor)
        data = try TrainingStream(config: config, comm: communicator, threads: kernels.threads, shares: initial, capacity: capacity)
        let (p, model) = (config.train.patchSize, model)
        balancer = balance.mode != .fixed && communicator.size > 1
            ? ShareBalancer(spec: balance, work: Dictionary(uniqueKeysWithValues: config.model.scales.map { s in
                (s, model.convShapes(n: 1, h: p, w: p, scale: s).reduce(0.0) { $0 + $1.flops }) }))
            : nil
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

    /// The shares a run starts with: equal, or `fixed`'s weights (one per rank).
    static func initialShares(_ config: Config, ranks: Int) throws -> BatchShares {
        let (batch, balance) = (config.train.batchSize, config.distributed.balance)
        guard let weights = balance.weights else { return .equal(batch: batch, ranks: ranks) }
        guard weights.count == ranks else {
            throw ConfigError("distributed.balance_weights lists \(weights.count) weights for \(ranks) ranks: give one per rank")
        }
        return BatchShares(batch: batch, ranks: ranks, weights: weights, maxFactor: balance.maxFactor)
    }

    /// Every rank's sample count at global step `t`.
    public func shareCounts(step t: Int) -> [Int] { data.ranges(step: t).map(\.count) }

    /// The per-rank weights in force at step `t` (nil: equal shares), as checkpoints store them.
    public func shareWeights(step t: Int) -> [Int]? { data.table.shares(at: t).weights }

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
        let p = config.train.patchSize, batchSize = config.train.batchSize
        comm.watchdog?.step = t
        if let balancer, balancer.due { try rebalance(balancer, step: t) }
        let began = DispatchTime.now().uptimeNanoseconds
        let (batch, scale, n) = data.next(step: t)
        let hrCount = n * data.hrCount(scale: scale)
        let sr = model.forward(batch.lr, n: n, h: p, w: p, scale: scale, training: true)
        let loss = l1LossForward(prediction: sr, target: batch.hr, count: hrCount)
        l1LossBackward(dPrediction: dOutput.base, prediction: sr, target: batch.hr, count: hrCount,
                       weight: 1 / Float(batchSize * (hrCount / n)))
        model.zeroGradients()
        if faults.injectsNaN(rank: comm.rank, step: t) { model.grads.base[0] = .nan }
        model.backward(dOutput.base) { self.buckets.ready(from: $0) }
        let delay = faults.delay(rank: comm.rank, step: t)
        if delay > 0 { usleep(UInt32(delay * n * 1000)) }
        let compute = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9 - batch.waitSeconds
        balancer?.record(seconds: compute, samples: n, scale: scale)
        try buckets.finish()
        let decision = try agreement.agree(loss: loss, lossWeight: Double(n) / Double(batchSize),
                                           gradients: model.grads.base, count: model.layout.count,
                                           stopRequested: stopRequested, finished: t + 1 >= config.train.steps)
        try reportCompute(compute, step: t, decision: decision)
        let used = data.schedule.samplesPerScale(step: t, counts: shareCounts(step: t))
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

extension Trainer {
    /// The collective balance decision at the start of step `t`; a change applies from
    /// step t + 1 and is reported through `onShareChange`. With `equal` the shares stay
    /// (bit-exact runs), and the first decision that would change them is reported as advice.
    func rebalance(_ balancer: ShareBalancer, step t: Int) throws {
        let current = data.table.shares(at: t)
        let d = try balancer.decide(step: t, comm: comm, current: current, schedule: data.schedule)
        guard d.adopted else { return }
        let speeds = d.costs.map { d.costs.min()! / $0 }
        let speedList = speeds.map { String(format: "%.2f", $0) }.joined(separator: " ")
        guard config.distributed.balance.mode == .measured else {
            guard !advised else { return }
            advised = true
            let counts = d.shares.counts { data.schedule.scale(step: t + 1, rank: $0) }
            onShareChange?(String(format: "the ranks differ in speed (relative speeds %@): distributed.balance \"measured\" would "
                                  + "give shares %@ and %.3f instead of %.3f s/step (predicted); equal shares stay", speedList,
                                  counts.map(String.init).joined(separator: " "), d.after, d.before),
                           ["step": t + 1, "advised_shares": counts, "relative_speeds": speeds,
                            "predicted_seconds_before": d.before, "predicted_seconds_after": d.after])
            return
        }
        data.table.set(d.shares, from: t + 1)
        let counts = shareCounts(step: t + 1)
        onShareChange?(String(format: "shares from step %d: %@ (relative speeds %@; predicted %.3f → %.3f s/step)", t + 2,
                              counts.map(String.init).joined(separator: " "), speedList, d.before, d.after),
                       ["from_step": t + 2, "shares": counts, "weights": d.shares.weights ?? [], "relative_speeds": speeds,
                        "predicted_seconds_before": d.before, "predicted_seconds_after": d.after])
    }

    /// Adds this step's compute time and, at a progress line's step (every `log_every`
    /// steps, and the last), gathers every rank's mean since the previous line.
    func reportCompute(_ seconds: Double, step t: Int, decision: StepDecision) throws {
        computeSinceReport += seconds
        stepsSinceReport += 1
        guard (t + 1) % config.train.logEvery == 0 || decision.stop != nil else { return }
        computeReport = try comm.allgather([computeSinceReport / Double(stepsSinceReport)]).map { $0[0] }
        (computeSinceReport, stepsSinceReport) = (0, 0)
    }
}
