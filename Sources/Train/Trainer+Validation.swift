import Data
import Metrics
import Models

extension Trainer {
    /// Mean PSNR/SSIM of the model and of bicubic upsampling on the validation images,
    /// averaged over the scales (benchmark protocol: Y, shave = scale; DIV2K: RGB,
    /// shave = scale + 6), and per scale.
    public func validate() throws -> (model: ImageScores, bicubic: ImageScores, perScale: [Int: ImageScores]) {
        var model: [ImageScores] = [], bicubic: [ImageScores] = [], perScale: [Int: ImageScores] = [:]
        for s in config.model.scales {
            let evaluation: EvaluationProtocol = config.data.kind == .dataset(.div2k) && config.data.validationRoot == nil
                ? .div2k(scale: s) : .benchmark(scale: s)
            let results = try scoredWeights {
                try evaluate(Upscaler(self.model, scale: s), on: data.validation[s] ?? [], by: evaluation, threads: kernels.threads)
            }
            perScale[s] = meanScores(results.map(\.model))
            model.append(perScale[s]!)
            bicubic.append(meanScores(results.map(\.bicubic)))
        }
        return (meanScores(model), meanScores(bicubic), perScale)
    }

    /// Runs `body` with the weights validation scores: the moving average when there
    /// is one, else the trained weights.
    func scoredWeights<T>(_ body: () throws -> T) rethrows -> T {
        guard let ema else { return try body() }
        return try ema.withWeights(in: model.params, body)
    }
}
