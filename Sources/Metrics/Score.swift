import Foundation

/// Scores a super-resolved image against its ground truth the way the literature does:
/// the HR image is cropped to the SR size from the top-left (LR size × scale; HR sides
/// that are not multiples of the scale lose their last rows/columns), then PSNR and
/// SSIM are computed under `evaluation`. Both images are interleaved 8-bit RGB: the SR
/// output must already be quantised to 0…255.
/// - Throws: `MetricsError` when the HR image is smaller than the SR image or the
///   shaved area is smaller than 11×11; the caller adds the file name.
/// - Parameter threads: workers for SSIM's rows.
public func score(sr: [UInt8], width: Int, height: Int, hr: [UInt8], hrWidth: Int, hrHeight: Int,
                  by evaluation: EvaluationProtocol, threads: Int) throws -> ImageScores {
    precondition(sr.count == width * height * 3 && hr.count == hrWidth * hrHeight * 3, "score: pixel counts do not match sizes")
    try checkScorable(width: width, height: height, hrWidth: hrWidth, hrHeight: hrHeight, by: evaluation)
    let area = ScoredArea(width: width, height: height, shave: evaluation.shave, onY: evaluation.onY)
    return ImageScores(psnr: psnr(sr, rowWidth: width, hr, rowWidth: hrWidth, area),
                       ssim: ssim(sr, rowWidth: width, hr, rowWidth: hrWidth, area, threads: threads))
}

/// Throws what `score` would for these sizes, from the sizes alone: ranks that share an
/// evaluation check every image before any of them computes, so all fail together.
public func checkScorable(width: Int, height: Int, hrWidth: Int, hrHeight: Int, by evaluation: EvaluationProtocol) throws {
    guard hrWidth >= width && hrHeight >= height else {
        throw MetricsError.groundTruthTooSmall(hr: (hrWidth, hrHeight), sr: (width, height))
    }
    let area = ScoredArea(width: width, height: height, shave: evaluation.shave, onY: evaluation.onY)
    guard area.innerWidth >= ssimWindow && area.innerHeight >= ssimWindow else {
        throw MetricsError.tooSmallToScore(width: width, height: height, shave: evaluation.shave)
    }
}
