import Data
import Foundation
import Metrics
import Models

/// Scores of one image: the model's and bicubic upsampling's (the floor), and the
/// model's inference time.
public struct ImageResult: Sendable {
    public var name: String
    public var model: ImageScores
    public var bicubic: ImageScores
    public var seconds: Double
}

/// One evaluated image with its pictures, for what `eval` writes besides the scores
/// (the LR inputs, the report's crops). `sr`, `bicubic` and `hr` have the same size.
public struct EvaluatedImage {
    public var result: ImageResult
    public var lr, sr, bicubic, hr: RGBImage
}

/// The paper's evaluation: upscale each LR image (optionally tiled and/or with the ×8
/// self-ensemble), quantise to 8 bits, score against HR with `protocol`, and score
/// bicubic upsampling the same way.
/// - Parameters:
///   - save: folder to write the model's outputs as PNG (`<name>_x<s>.png`).
///   - each: called with every image once it is scored (one image's pictures in memory at a time).
///   - threads: workers for scoring (the upscaler's network has its own settings).
public func evaluate(_ upscaler: Upscaler, on pairs: [ImagePair], by evaluation: EvaluationProtocol,
                     selfEnsemble: Bool = false, tile: Int? = nil, overlap: Int = 16,
                     save: String? = nil, threads: Int, each: ((EvaluatedImage) throws -> Void)? = nil) throws -> [ImageResult] {
    let s = upscaler.scale
    if let save { try createFolder(save) }
    return try pairs.map { pair in
        // One image's pixels at a time out of the maps: bounded memory on big sets.
        let (lr, hr) = (pair.lr.image(), pair.hr.image())
        let start = DispatchTime.now().uptimeNanoseconds
        let out = upscaler.upscale(lr.planar(), h: lr.height, w: lr.width,
                                   tile: tile, overlap: overlap, selfEnsemble: selfEnsemble)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let sr = out.withUnsafeBufferPointer { RGBImage(planar: $0.baseAddress!, width: lr.width * s, height: lr.height * s) }
        let bic = Bicubic.upscale(lr, by: s)
        func scores(_ img: RGBImage) throws -> ImageScores {
            do {
                return try score(sr: img.pixels, width: img.width, height: img.height,
                                 hr: hr.pixels, hrWidth: hr.width, hrHeight: hr.height, by: evaluation, threads: threads)
            } catch {
                throw ScoringError("\(pair.name): \(error.localizedDescription)")
            }
        }
        if let save { try PNGFile.write(sr, to: (save as NSString).appendingPathComponent("\(pair.name)_x\(s).png")) }
        let result = ImageResult(name: pair.name, model: try scores(sr), bicubic: try scores(bic), seconds: seconds)
        try each?(EvaluatedImage(result: result, lr: lr, sr: sr, bicubic: bic, hr: hr))
        return result
    }
}

/// Mean PSNR and SSIM over images (the numbers papers report).
public func meanScores(_ scores: [ImageScores]) -> ImageScores {
    let n = Double(max(scores.count, 1))
    return ImageScores(psnr: scores.map(\.psnr).reduce(0, +) / n, ssim: scores.map(\.ssim).reduce(0, +) / n)
}
