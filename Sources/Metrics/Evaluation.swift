import Foundation

/// How a super-resolved image is scored against its ground truth.
public struct EvaluationProtocol: Equatable, Sendable, Codable {
    /// Pixels removed from every border before scoring.
    public var shave: Int
    /// Score the BT.601 Y channel (true) or R, G and B (false).
    public var onY: Bool

    public init(shave: Int, onY: Bool) { (self.shave, self.onY) = (shave, onY) }

    /// Set5, Set14, B100, Urban100: Y channel, shave = scale.
    public static func benchmark(scale: Int) -> EvaluationProtocol { EvaluationProtocol(shave: scale, onY: true) }
    /// DIV2K validation: RGB, shave = scale + 6.
    public static func div2k(scale: Int) -> EvaluationProtocol { EvaluationProtocol(shave: scale + 6, onY: false) }
}

/// PSNR (dB) and SSIM of one image.
public struct ImageScores: Equatable, Sendable {
    public var psnr: Double
    public var ssim: Double
    public init(psnr: Double, ssim: Double) { (self.psnr, self.ssim) = (psnr, ssim) }
}

/// Why an image pair cannot be scored.
public enum MetricsError: LocalizedError, Equatable {
    /// The ground truth is smaller than the super-resolved image.
    case groundTruthTooSmall(hr: (Int, Int), sr: (Int, Int))
    /// After shaving, fewer than 11×11 pixels remain for SSIM's window.
    case tooSmallToScore(width: Int, height: Int, shave: Int)

    public var errorDescription: String? {
        switch self {
        case let .groundTruthTooSmall(hr, sr):
            return "HR image is \(hr.0)×\(hr.1), smaller than the \(sr.0)×\(sr.1) super-resolved image"
        case let .tooSmallToScore(w, h, s):
            return "a \(w)×\(h) image with \(s) pixels shaved per border is smaller than SSIM's 11×11 window"
        }
    }

    public static func == (a: MetricsError, b: MetricsError) -> Bool {
        switch (a, b) {
        case let (.groundTruthTooSmall(h1, s1), .groundTruthTooSmall(h2, s2)): return h1 == h2 && s1 == s2
        case let (.tooSmallToScore(w1, h1, s1), .tooSmallToScore(w2, h2, s2)): return (w1, h1, s1) == (w2, h2, s2)
        default: return false
        }
    }
}

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
    guard hrWidth >= width && hrHeight >= height else {
        throw MetricsError.groundTruthTooSmall(hr: (hrWidth, hrHeight), sr: (width, height))
    }
    let area = ScoredArea(width: width, height: height, shave: evaluation.shave, onY: evaluation.onY)
    guard area.innerWidth >= ssimWindow && area.innerHeight >= ssimWindow else {
        throw MetricsError.tooSmallToScore(width: width, height: height, shave: evaluation.shave)
    }
    return ImageScores(psnr: psnr(sr, rowWidth: width, hr, rowWidth: hrWidth, area),
                       ssim: ssim(sr, rowWidth: width, hr, rowWidth: hrWidth, area, threads: threads))
}
