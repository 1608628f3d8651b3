import Checkpoint
import Data
import Distributed
import Foundation
import Kernels
import Metrics
import Models

/// One rank's share of a data-parallel training run: the model, Adam, this rank's
/// slice of the global patch stream, and the gradient reduction. `step(_:)` is the
/// whole loop body: batch, forward, loss, zero grads, backward with bucketed
/// allreduce, agreement, update.
public final class Trainer {
    public let config: Config
    public let comm: Communicator
    public let model: EDSR
    public let adam: Adam
    public let sampler: PatchSampler
    /// Held-out images for validation (scored against bicubic).
    public let validation: [ImagePair]
    /// This rank's contiguous share of the global batch.
    public let share: Range<Int>

    let prefetcher: Prefetcher
    let buckets: GradientBuckets
    let agreement: StepAgreement
    let faults: FaultInjection
    let dOutput: Arena
    /// Seconds `step(_:)` has spent waiting for its batch since the start.
    public private(set) var dataWait = 0.0
    /// Skipped steps restored from a checkpoint (the agreement counts this process's).
    var restoredSkips = 0
    var scale: Int { config.model.scales[0] }

    /// Builds the model (rank 0's initial weights are broadcast) and this rank's data.
    /// - Parameter communicator: the ranks training together (a singleton without mpirun).
    public init(config: Config, communicator: Communicator) throws {
        self.config = config
        comm = communicator
        guard config.train.batchSize >= comm.size else {
            throw ConfigError("train.batch_size \(config.train.batchSize) is smaller than the \(comm.size) ranks: every rank needs a sample")
        }
        model = EDSR(config.edsr, seed: config.train.seed)
        adam = Adam(count: model.layout.count)
        let data = try TrainingData.load(config.data, scale: config.model.scales[0], seed: config.train.seed)
        try data.check(patch: config.train.patchSize)
        sampler = PatchSampler(pairs: data.train, patch: config.train.patchSize, seed: config.train.seed)
        validation = data.validation
        share = comm.share(of: config.train.batchSize)
        prefetcher = Prefetcher(sampler: sampler, samples: share)
        dOutput = Arena(count: share.count * sampler.hrCount)
        let count = model.layout.count
        buckets = GradientBuckets(communicator: comm, gradients: model.grads.base, count: count,
                                  ranges: GradientBuckets.plan(count: count, boundaries: model.layout.views.map(\.offset),
                                                               bucketSize: config.distributed.bucketSize,
                                                               firstBucketSize: config.distributed.firstBucketSize))
        agreement = StepAgreement(communicator: comm, maxConsecutiveSkips: config.train.maxSkippedSteps)
        faults = try FaultInjection()
        try comm.broadcastFromRoot([(model.params.base, count)])
    }

    /// Steps skipped (non-finite values on some rank) over the whole run.
    public var skippedSteps: Int { restoredSkips + agreement.skippedSteps }

    /// Seconds spent waiting for gradient communication after backward, over the run.
    public var exposedCommunication: Double { buckets.exposedSeconds }

    /// Runs global step `t` (0-based) and returns what every rank agreed on: whether
    /// the update was applied, the global mean loss, and whether to stop.
    /// - Parameter stopRequested: this rank received a stop signal.
    public func step(_ t: Int, stopRequested: Bool = false) throws -> StepDecision {
        let p = config.train.patchSize, n = share.count
        comm.watchdog?.step = t
        let batch = prefetcher.next(step: t)
        dataWait += batch.waitSeconds
        let sr = model.forward(batch.lr, n: n, h: p, w: p)
        let loss = l1LossForward(prediction: sr, target: batch.hr, count: dOutput.count)
        // Weighted by the global batch: summing ranks' gradients gives the global mean.
        let globalElements = Float(config.train.batchSize * sampler.hrCount)
        l1LossBackward(dPrediction: dOutput.base, prediction: sr, target: batch.hr, count: dOutput.count, weight: 1 / globalElements)
        model.grads.zero()
        if faults.injectsNaN(rank: comm.rank, step: t) { model.grads.base[0] = .nan }
        model.backward(dOutput.base) { self.buckets.ready(from: $0) }
        try buckets.finish()
        let decision = try agreement.agree(loss: loss, lossWeight: Double(n) / Double(config.train.batchSize),
                                           gradients: model.grads.base, count: model.layout.count,
                                           stopRequested: stopRequested, finished: t + 1 >= config.train.steps)
        if decision.apply {
            let lr = learningRate(base: config.train.lr, step: t, halveEvery: config.train.lrDecaySteps)
            adam.update(params: model.params, grads: model.grads, range: 0..<model.layout.count, lr: lr)
        }
        return decision
    }

    /// Mean PSNR/SSIM of the model and of bicubic upsampling on the validation images
    /// (benchmark protocol: Y, shave = scale; DIV2K: RGB, shave = scale + 6).
    public func validate() throws -> (model: ImageScores, bicubic: ImageScores) {
        let evaluation: EvaluationProtocol = config.data.kind == "div2k" && config.data.validationRoot == nil
            ? .div2k(scale: scale) : .benchmark(scale: scale)
        let results = try evaluate(Upscaler(model), on: validation, by: evaluation)
        return (meanScores(results.map(\.model)), meanScores(results.map(\.bicubic)))
    }

    /// Super-resolves one image with the current weights, quantised to 8 bits.
    public func upscale(_ lr: RGBImage) -> RGBImage {
        let out = Upscaler(model).upscale(lr.planar(), h: lr.height, w: lr.width)
        return out.withUnsafeBufferPointer { RGBImage(planar: $0.baseAddress!, width: lr.width * scale, height: lr.height * scale) }
    }
}
