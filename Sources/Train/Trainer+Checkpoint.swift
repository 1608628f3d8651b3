import Checkpoint
import Distributed
import Foundation
import Kernels
import Machine
import Models

/// What a run carries across a restart besides the arenas: where the data stream
/// stands and what validation has seen.
public struct RunProgress: Equatable, Sendable {
    /// Steps completed (the next step to run).
    public var step = 0
    public var bestPSNR: Double?
    public var bestStep: Int?
    /// Validation records, a JSON array.
    public var metricsHistory = "[]"
    public init() {}
}

extension Trainer {
    /// Training label stored in checkpoints and shown in the progress line: the
    /// coordinator's stage name, else "x2" (EDSR) or "mdsr".
    public var stage: String { config.stage ?? (config.model.arch == .mdsr ? "mdsr" : "x\(config.model.scales[0])") }

    /// Bounds for checkpoints this run reads (`checkpoint.max_parameters`).
    public var checkpointLimits: CheckpointLimits { CheckpointLimits(maxParameters: config.checkpoint.maxParameters) }

    /// What a checkpoint must hold to resume this run, checked before its tensors are
    /// read (the stored config is not needed: the model is this run's).
    public func checkpointExpectation(_ storedConfig: String) -> CheckpointExpectation {
        CheckpointExpectation(model: config.model.arch.rawValue, scales: config.model.scales, layout: model.layout)
    }

    /// The checkpoint of this rank's state after `progress.step` steps (every rank
    /// holds the same bits; rank 0 writes it).
    public func checkpointContents(_ progress: RunProgress) -> CheckpointContents {
        let lr = learningRate(base: config.train.lr, step: progress.step, halveEvery: config.train.lrDecaySteps)
        return CheckpointContents(
            model: config.model.arch.rawValue, scales: config.model.scales, step: progress.step, stage: stage,
            worldSize: comm.size, configJSON: config.json, layout: model.layout, params: Array(model.params.buffer),
            optimizer: OptimizerState(m: Array(adam.m.buffer), v: Array(adam.v.buffer), steps: adam.steps,
                                      learningRate: Double(lr)),
            state: TrainingState(dataStep: progress.step, rngSeed: config.train.seed, skippedSteps: skippedSteps,
                                 bestPSNR: progress.bestPSNR, bestStep: progress.bestStep, metricsHistory: progress.metricsHistory),
            blas: BLASLibrary.loaded.description, simd: kernels.settings.simd.rawValue)
    }

    /// Restores parameters, Adam's moments and counters and the stream position from
    /// `contents` (read on rank 0) on every rank: arenas are broadcast, scalars too.
    /// - Throws: on every rank alike, when the checkpoint does not fit this run.
    public func restore(_ contents: CheckpointContents?, file: String) throws -> RunProgress {
        let header = try rootDecides {
            guard let c = contents else { return "" }
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
            let fields: [String: Any] = ["step": c.step, "adam": opt.steps, "skipped": c.state.skippedSteps,
                                         "best_psnr": c.state.bestPSNR ?? NSNull(), "best_step": c.state.bestStep ?? NSNull(),
                                         "history": c.state.metricsHistory]
            return String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
        }
        let count = model.layout.count
        try comm.broadcastFromRoot([(model.params.base, count), (adam.m.base, count), (adam.v.base, count)])
        var progress = RunProgress()
        guard let fields = try JSONSerialization.jsonObject(with: Data(header.utf8), options: [.fragmentsAllowed]) as? [String: Any] else {
            return progress
        }
        progress.step = fields["step"] as! Int
        adam.steps = fields["adam"] as! [String: Int]
        restoredSkips = fields["skipped"] as! Int
        progress.bestPSNR = fields["best_psnr"] as? Double
        progress.bestStep = fields["best_step"] as? Int
        progress.metricsHistory = fields["history"] as! String
        return progress
    }

    /// `init_from`: copies every tensor whose name and shape match from `path` (read on
    /// rank 0, then broadcast); Adam starts fresh. Returns the report lines.
    public func initializeWeights(from path: String) throws -> [String] {
        let lines = try rootDecides {
            let report = copyMatching(from: try CheckpointFile.read(path: try CheckpointStore.locate(path), limits: checkpointLimits), into: model.layout, params: model.params.base)
            return report.lines.joined(separator: "\n")
        }
        try comm.broadcastFromRoot([(model.params.base, model.layout.count)])
        return lines.split(separator: "\n").map(String.init)
    }

    /// `comm.rootDecides`: rank 0 runs `body`, every rank gets its result or error.
    func rootDecides(_ body: () throws -> String) throws -> String { try comm.rootDecides(body) }
}
