import Foundation

extension Degradation {
    /// The Gaussian blur's standard deviation, in HR pixels, that the unknown
    /// degradation's stand-in applies at scale `s`: s / 2.
    public static func standInSigma(scale s: Int) -> Float { Float(s) / 2 }

    /// An LR image of this degradation made from `hr` at scale `s`: MATLAB's bicubic
    /// (`Bicubic.downscale`), and for `unknown` a fixed stand-in for DIV2K's undisclosed
    /// kernel — a Gaussian blur of σ = s / 2 HR pixels (edges replicated, rounded to
    /// 8 bits once) before the bicubic. For demos and tests that need an unknown-track
    /// tree without DIV2K; it is not the challenge's degradation.
    public func makeLR(_ hr: RGBImage, by s: Int) -> RGBImage {
        switch self {
        case .bicubic: return Bicubic.downscale(hr, by: s)
        case .unknown: return Bicubic.downscale(Self.gaussianBlur(hr, sigma: Self.standInSigma(scale: s)), by: s)
        }
    }

    /// `image` blurred by a separable Gaussian of `sigma` pixels (radius ⌈3σ⌉), in Float
    /// between the passes.
    static func gaussianBlur(_ image: RGBImage, sigma: Float) -> RGBImage {
        let radius = Int((3 * sigma).rounded(.up))
        let raw = (-radius...radius).map { d in expf(-Float(d * d) / (2 * sigma * sigma)) }
        let total = raw.reduce(0, +)
        let weights = raw.map { $0 / total }
        let (w, h) = (image.width, image.height)
        var rows = [Float](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                for c in 0..<3 {
                    var sum: Float = 0
                    for (k, weight) in weights.enumerated() { sum += weight * Float(image[min(max(x + k - radius, 0), w - 1), y, c]) }
                    rows[(y * w + x) * 3 + c] = sum
                }
            }
        }
        var out = RGBImage(width: w, height: h)
        for y in 0..<h {
            for x in 0..<w {
                for c in 0..<3 {
                    var sum: Float = 0
                    for (k, weight) in weights.enumerated() { sum += weight * rows[(min(max(y + k - radius, 0), h - 1) * w + x) * 3 + c] }
                    out[x, y, c] = UInt8(min(max(sum.rounded(), 0), 255))
                }
            }
        }
        return out
    }
}
