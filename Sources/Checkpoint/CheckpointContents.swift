import Foundation
import Models

/// Everything one checkpoint holds: the header, the parameters, Adam's state and the
/// training state resume needs. Tensors are flat arrays indexed by `layout` (the
/// checkpoint's own layout, in the order the tensors were written), so
/// `params[layout.view(named: "head.0.weight")!.range]` is that tensor.
public struct CheckpointContents: Equatable {
    /// The `format` attribute that marks an srdist checkpoint.
    public static let format = "srdist-checkpoint"
    /// Schema version written by this build; files with a larger one are refused.
    public static let version = 1

    /// `"edsr"` or `"mdsr"`.
    public var model: String
    /// Upscaling factors the network has branches for (one for EDSR).
    public var scales: [Int]
    /// Global updates completed when the checkpoint was written.
    public var step: Int
    /// Name of the training stage (the coordinator's schedule; `"imported"` for
    /// converted PyTorch weights).
    public var stage: String
    /// Number of ranks of the run that wrote it.
    public var worldSize: Int
    /// The run's whole config file, as read.
    public var configJSON: String
    /// Creation time, ISO 8601 in UTC (for example `2025-01-31T12:00:00Z`).
    public var created: String
    /// Names, shapes and offsets of the tensors in `params` (and in the moments).
    public var layout: ParameterLayout
    /// All parameters, `layout.count` floats.
    public var params: [Float]
    /// Adam's moments and counters; nil for weights-only checkpoints (imports).
    public var optimizer: OptimizerState?
    /// The moving average of the weights (`train.ema_decay`); nil when the run kept none.
    public var ema: EMAWeights?
    public var state: TrainingState
    /// The BLAS that computed it, e.g. "OpenBLAS 0.3.21 Cooperlake" (empty when unknown, as in imports).
    public var blas: String
    /// The SIMD level of srdist's own loops, e.g. "avx2" (empty when unknown).
    public var simd: String
    /// What the convolutions that trained it read, "fp32" or "bf16" (empty when unknown,
    /// as in imports and older files). The tensors are fp32 in every case.
    public var precision: String

    public init(model: String, scales: [Int], step: Int, stage: String, worldSize: Int, configJSON: String,
                created: String = CheckpointContents.now(), layout: ParameterLayout, params: [Float],
                optimizer: OptimizerState?, ema: EMAWeights? = nil, state: TrainingState, blas: String = "", simd: String = "",
                precision: String = "") {
        precondition(params.count == layout.count, "CheckpointContents: params must hold layout.count floats")
        precondition(optimizer.map { $0.m.count == layout.count && $0.v.count == layout.count } ?? true,
                     "CheckpointContents: Adam moments must hold layout.count floats")
        precondition(ema.map { $0.params.count == layout.count } ?? true, "CheckpointContents: EMA weights must hold layout.count floats")
        (self.model, self.scales, self.step, self.stage, self.worldSize) = (model, scales, step, stage, worldSize)
        (self.configJSON, self.created, self.layout, self.params) = (configJSON, created, layout, params)
        (self.optimizer, self.ema, self.state, self.blas, self.simd, self.precision) = (optimizer, ema, state, blas, simd, precision)
    }

    /// The current time as ISO 8601 UTC, the `created` attribute's format.
    public static func now() -> String { ISO8601DateFormatter().string(from: Date()) }
}

/// Adam's state: the two moments (flat, same layout as the parameters), the update
/// counters per branch and the learning rate in force.
public struct OptimizerState: Equatable {
    /// First moment, `layout.count` floats.
    public var m: [Float]
    /// Second moment, `layout.count` floats.
    public var v: [Float]
    /// Updates applied per branch: `["shared": t]` for EDSR; MDSR adds one counter per
    /// scale-specific branch (`"x2"`, …) since those update only on their scale's steps.
    public var steps: [String: Int]
    /// Learning rate of the last update (the schedule's position, for the log).
    public var learningRate: Double

    public init(m: [Float], v: [Float], steps: [String: Int], learningRate: Double) {
        (self.m, self.v, self.steps, self.learningRate) = (m, v, steps, learningRate)
    }
}

/// The exponential moving average of the weights a run kept (`/ema`): what `eval`,
/// `upscale` and validation use unless told `--no-ema`.
public struct EMAWeights: Equatable {
    /// The decay it was averaged with (`train.ema_decay`).
    public var decay: Double
    /// The averaged weights, `layout.count` floats in the parameters' layout.
    public var params: [Float]

    public init(decay: Double, params: [Float]) { (self.decay, self.params) = (decay, params) }
}

/// What else resume needs to continue exactly where the run stopped.
public struct TrainingState: Equatable {
    /// Global step whose samples the data stream draws next (samples are a pure
    /// function of seed, step and index, so this is the whole stream position).
    public var dataStep: Int
    /// Seed of the counter-based random streams (data, augmentation, MDSR scale draws).
    public var rngSeed: UInt64
    /// Steps skipped because the loss or a gradient was not finite.
    public var skippedSteps: Int
    /// Best validation PSNR so far and the step it was measured at, once evaluation ran.
    public var bestPSNR: Double?
    public var bestStep: Int?
    /// Metrics history as JSON text (the run's log of losses and evaluations).
    public var metricsHistory: String
    /// The per-rank batch-share weights in force at `dataStep` (`distributed.balance`
    /// measured or fixed); nil: equal shares.
    public var batchWeights: [Int]?

    public init(dataStep: Int, rngSeed: UInt64, skippedSteps: Int = 0, bestPSNR: Double? = nil, bestStep: Int? = nil,
                metricsHistory: String = "[]", batchWeights: [Int]? = nil) {
        (self.dataStep, self.rngSeed, self.skippedSteps) = (dataStep, rngSeed, skippedSteps)
        (self.bestPSNR, self.bestStep, self.metricsHistory, self.batchWeights) = (bestPSNR, bestStep, metricsHistory, batchWeights)
    }
}
