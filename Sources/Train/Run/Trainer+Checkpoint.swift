import Checkpoint
import Distributed
import Foundation
import Kernels
import Machine
import Models

extension Trainer {
    /// Training label stored in checkpoints and shown in the progress line: the
    /// coordinator's stage name, else "x2" (EDSR) or "mdsr".
    public var stage: String { config.stage ?? (config.model.arch == .mdsr ? "mdsr" : "x\(config.model.scales[0])") }

    /// The checkpoint of this rank's state after `progress.step` steps (every rank
    /// holds the same bits; rank 0 writes it).
    public func checkpointContents(_ progress: RunProgress) -> CheckpointContents {
        let lr = config.train.lrSchedule.rate(base: config.train.lr, step: progress.step)
        return CheckpointContents(
            model: config.model.arch.rawValue, scales: config.model.scales, step: progress.step, stage: stage,
            worldSize: comm.size, configJSON: config.json, layout: model.layout, params: Array(model.params.buffer),
            optimizer: OptimizerState(m: Array(adam.m.buffer), v: Array(adam.v.buffer), steps: adam.steps,
                                      learningRate: Double(lr)),
            ema: ema.map { EMAWeights(decay: $0.decay, params: Array($0.weights.buffer)) },
            state: TrainingState(dataStep: progress.step, rngSeed: config.train.seed, skippedSteps: skippedSteps,
                                 bestPSNR: progress.bestPSNR, bestStep: progress.bestStep, metricsHistory: progress.metricsHistory,
                                 batchWeights: shareWeights(step: progress.step)),
            blas: BLASLibrary.loaded.description, simd: kernels.settings.simd.rawValue,
            precision: kernels.settings.precision.rawValue)
    }

    /// Restores parameters, Adam's moments and counters and the stream position from
    /// `contents` (read on rank 0; nil on the others) on every rank: arenas are
    /// broadcast, and the counters with the returned progress.
    /// - Throws: on every rank alike, when the checkpoint does not fit this run.
    public func restore(_ contents: CheckpointContents?, file: String) throws -> RunProgress {
        let restored = try comm.rootDecides { () -> RestoredCounters in
            guard let c = contents else { throw CheckpointError("\(file): rank 0 holds no checkpoint to resume from") }
            try c.requireCompatible(model: config.model.arch.rawValue, scales: config.model.scales, layout: model.layout, file: file)
            guard let opt = c.optimizer else {
                throw ConfigError("\(file): holds weights only (no optimizer state) — use it as train.init_from instead of --resume")
            }
            guard c.state.rngSeed == config.train.seed else {
                throw ConfigError("\(file): was trained with seed \(c.state.rngSeed), the config says \(config.train.seed); resuming needs the same data stream")
            }
            c.scatter(c.params, into: model.params.base, layout: model.layout)
            c.scatter(opt.m, into: adam.m.base, layout: model.layout)
            c.scatter(opt.v, into: adam.v.base, layout: model.layout)
            // A run that turns EMA on mid-way starts the average at the resumed weights.
            if let ema { c.scatter(c.ema?.params ?? c.params, into: ema.weights.base, layout: model.layout) }
            var progress = RunProgress()
            (progress.step, progress.bestPSNR, progress.bestStep, progress.metricsHistory)
                = (c.step, c.state.bestPSNR, c.state.bestStep, c.state.metricsHistory)
            return RestoredCounters(progress: progress, adamSteps: opt.steps, skippedSteps: c.state.skippedSteps,
                                    batchWeights: c.state.batchWeights)
        }
        let count = model.layout.count
        try comm.broadcastFromRoot([(model.params.base, count), (adam.m.base, count), (adam.v.base, count)])
        (adam.steps, restoredSkips) = (restored.adamSteps, restored.skippedSteps)
        restoreShares(restored.batchWeights, step: restored.progress.step)
        return restored.progress
    }

    /// `init_from`: copies every tensor whose name and shape match from `path` (read on
    /// rank 0 within `limits`, then broadcast) — its EMA weights when it has them, the
    /// model it would be evaluated as; Adam starts fresh, the moving average at the copied
    /// weights. Returns the report lines.
    public func initializeWeights(from path: String, limits: CheckpointLimits) throws -> [String] {
        let lines = try comm.rootDecides {
            var source = try CheckpointFile.read(path: try CheckpointStore.locate(path), limits: limits)
            let which = source.ema == nil ? [] : ["init_from: the checkpoint's EMA weights"]
            if let averaged = source.ema { source.params = averaged.params }
            return which + copyMatching(from: source, into: model.layout, params: model.params.base).lines
        }
        try comm.broadcastFromRoot([(model.params.base, model.layout.count)])
        ema?.reset(to: model.params)
        return lines
    }
}

/// What `restore` hands from rank 0 to every rank besides the arenas.
private struct RestoredCounters: Codable {
    var progress: RunProgress
    var adamSteps: [String: Int]
    var skippedSteps: Int
    var batchWeights: [Int]?
}

extension Trainer {
    /// `measured` balance continues with the shares a checkpoint stored when the rank
    /// count is the same (a different count starts from equal shares); `equal` and
    /// `fixed` keep the config's shares.
    func restoreShares(_ weights: [Int]?, step: Int) {
        guard config.distributed.balance.mode == .measured, let weights, weights.count == comm.size else { return }
        data.table.set(BatchShares(batch: config.train.batchSize, ranks: comm.size, weights: weights,
                                   maxFactor: config.distributed.balance.maxFactor), from: step)
    }
}
