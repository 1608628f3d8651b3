import Foundation

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
