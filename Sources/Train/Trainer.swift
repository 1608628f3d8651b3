import Data
import Foundation
import Kernels
import Metrics
import Models

/// One process's training run: the model, Adam, the patch stream and the batch buffers.
/// `step(_:)` is the whole loop body: batch, forward, loss, zero grads, backward,
/// update.
public final class Trainer {
    public let config: Config
    public let model: EDSR
    public let adam: Adam
    public let sampler: PatchSampler
    /// Held-out images for measuring the result against bicubic.
    public let validation: [ImagePair]

    /// Fills the next step's batch on a background thread while this one computes.
    let prefetcher: Prefetcher
    /// Seconds `step(_:)` has spent waiting for its batch since the start.
    public private(set) var dataWait = 0.0
    let dOutput: Arena
    var scale: Int { config.model.scales[0] }

    public init(config: Config) throws {
        self.config = config
        model = EDSR(config.edsr, seed: config.train.seed)
        adam = Adam(count: model.layout.count)
        let data = try TrainingData.load(config.data, scale: config.model.scales[0], seed: config.train.seed)
        try data.check(patch: config.train.patchSize)
        sampler = PatchSampler(pairs: data.train, patch: config.train.patchSize, seed: config.train.seed)
        validation = data.validation
        prefetcher = Prefetcher(sampler: sampler, samples: 0..<config.train.batchSize)
        dOutput = Arena(count: config.train.batchSize * sampler.hrCount)
    }

    /// Runs global step `t` (0-based) and returns its L1 loss.
    @discardableResult
    public func step(_ t: Int) -> Double {
        let n = config.train.batchSize, p = config.train.patchSize
        let batch = prefetcher.next(step: t)
        dataWait += batch.waitSeconds
        let sr = model.forward(batch.lr, n: n, h: p, w: p)
        let loss = l1LossForward(prediction: sr, target: batch.hr, count: dOutput.count)
        l1LossBackward(dPrediction: dOutput.base, prediction: sr, target: batch.hr,
                       count: dOutput.count, weight: 1 / Float(dOutput.count))
        model.grads.zero()
        model.backward(dOutput.base)
        let lr = learningRate(base: config.train.lr, step: t, halveEvery: config.train.lrDecaySteps)
        adam.update(params: model.params, grads: model.grads, range: 0..<model.layout.count, lr: lr)
        return loss
    }

    /// Trains for the configured steps, printing a progress line every `log_every`
    /// steps (running-mean loss, learning rate, throughput, share of time spent
    /// waiting for data).
    public func run(log: (String) -> Void) {
        let steps = config.train.steps, every = config.train.logEvery
        var window = 0.0, count = 0
        var clock = Date(), waitStart = dataWait
        for t in 0..<steps {
            window += step(t)
            count += 1
            if (t + 1) % every == 0 || t + 1 == steps {
                let elapsed = Date().timeIntervalSince(clock)
                let lr = learningRate(base: config.train.lr, step: t, halveEvery: config.train.lrDecaySteps)
                log(String(format: "step %d/%d  loss %.4f  lr %.2e  %.1f patches/s  data wait %.1f%%",
                           t + 1, steps, window / Double(count), lr,
                           Double(count * config.train.batchSize) / max(elapsed, 1e-9),
                           100 * (dataWait - waitStart) / max(elapsed, 1e-9)))
                (window, count, clock, waitStart) = (0, 0, Date(), dataWait)
            }
        }
    }

    /// Mean Y-PSNR (shave = scale) of the model and of bicubic upsampling on the
    /// validation images: the model must beat the bicubic floor.
    public func evaluate() -> (model: Double, bicubic: Double) {
        var (m, b) = (0.0, 0.0)
        for pair in validation {
            let sr = upscale(pair.lr)
            m += psnr(sr.pixels, pair.hr.pixels, width: pair.hr.width, height: pair.hr.height, shave: scale, onY: true)
            let bic = Bicubic.upscale(pair.lr, by: scale)
            b += psnr(bic.pixels, pair.hr.pixels, width: pair.hr.width, height: pair.hr.height, shave: scale, onY: true)
        }
        return (m / Double(validation.count), b / Double(validation.count))
    }

    /// Super-resolves one image with the current weights, quantised to 8 bits.
    public func upscale(_ lr: RGBImage) -> RGBImage {
        let out = Upscaler(model).upscale(lr.planar(), h: lr.height, w: lr.width)
        return out.withUnsafeBufferPointer { RGBImage(planar: $0.baseAddress!, width: lr.width * scale, height: lr.height * scale) }
    }
}
