import Data
import Distributed
import Foundation
import Metrics
import Models

/// One validation: mean PSNR/SSIM of the model and of bicubic upsampling over the
/// scales, per scale, and per image; its wall time and the ranks that shared it.
public struct Validation {
    public var model, bicubic: ImageScores
    public var perScale: [Int: ImageScores]
    /// Per scale, every image's scores, in the validation set's order.
    public var images: [Int: [ImageResult]]
    public var seconds: Double
    /// Ranks that computed windows, and ranks of the group (the others waited).
    public var ranks, groupRanks: Int
    /// This process's peak RSS in MiB before the validation began and after it ended.
    public var peakRSSBefore, peakRSS: Double
    /// Images scored, over all scales.
    public var imageCount: Int { images.values.map(\.count).reduce(0, +) }
}

extension Trainer {
    /// Scores the model on the validation images, shared by every rank of the group
    /// (`evaluate`): tiled with `train.validation_tile` and the receptive field as
    /// overlap (or `train.validation_overlap`), computed by `validators`, averaged over the scales (benchmark
    /// protocol: Y, shave = scale; DIV2K: RGB, shave = scale + 6). Every rank must call it.
    /// - Parameters:
    ///   - stop: asked after each image (every rank); when true on any rank, the
    ///     validation is abandoned and every rank throws `EvaluationStopped`.
    ///   - progress: called after each image with the images done and the total (all scales).
    public func validate(stop: (() -> Bool)? = nil, progress: ((Int, Int) -> Void)? = nil) throws -> Validation {
        let (began, peakBefore) = (Date(), MemoryUsage.current().peakRSS)
        var images: [Int: [ImageResult]] = [:]
        let total = config.model.scales.map { data.validation[$0]?.count ?? 0 }.reduce(0, +)
        var done = 0
        // Training's activations and scratch are rebuilt at the next step; the ranks that
        // wait through the validation (most of a node's) then hold only the training state,
        // and the computing ones only their windows'. Released again after, for training.
        releaseWorkingMemory()
        defer { releaseWorkingMemory() }
        try sharedScoredWeights {
            for s in config.model.scales {
                let evaluation: EvaluationProtocol = config.data.kind == .dataset(.div2k) && config.data.validationRoot == nil
                    ? .div2k(scale: s) : .benchmark(scale: s)
                images[s] = try evaluate(Upscaler(model, scale: s), on: data.validation[s] ?? [], by: evaluation,
                                         tile: config.train.validationTile,
                                         overlap: config.train.validationOverlap ?? model.receptiveRadius(scale: s),
                                         computing: validators, threads: kernels.threads, comm: comm, stop: stop,
                                         progress: { progress?(done + $0, total) })
                done += images[s]!.count
            }
        }
        let perScale = images.mapValues { meanScores($0.map(\.model)) }
        let scales = config.model.scales
        return Validation(model: meanScores(scales.map { perScale[$0]! }),
                          bicubic: meanScores(scales.map { meanScores(images[$0]!.map(\.bicubic)) }),
                          perScale: perScale, images: images, seconds: Date().timeIntervalSince(began),
                          ranks: validators.count, groupRanks: comm.size,
                          peakRSSBefore: peakBefore, peakRSS: MemoryUsage.current().peakRSS)
    }

    private func releaseWorkingMemory() {
        model.releaseActivations()
        kernels.releaseScratch()
    }

    /// Runs `body` on rank 0 with the weights validation scores: the moving average when
    /// there is one, else the trained weights.
    func scoredWeights<T>(_ body: () throws -> T) rethrows -> T {
        guard let ema else { return try body() }
        return try ema.withWeights(in: model.params, body)
    }

    /// Runs `body` on every rank with the weights validation scores. Only rank 0 keeps
    /// the moving average: it lends it to the others for `body`, and its trained weights
    /// (the same on every rank) are broadcast back afterwards, so no rank holds a copy.
    func sharedScoredWeights<T>(_ body: () throws -> T) throws -> T {
        guard config.train.emaDecay > 0 else { return try body() }
        let params = [(model.params.base, model.layout.count)]
        let outcome = Result { try scoredWeights { try comm.broadcastFromRoot(params); return try body() } }
        try comm.broadcastFromRoot(params)
        return try outcome.get()
    }
}
