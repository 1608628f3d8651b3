/// PSNR (dB) and SSIM of one image.
public struct ImageScores: Equatable, Sendable {
    public var psnr: Double
    public var ssim: Double
    public init(psnr: Double, ssim: Double) { (self.psnr, self.ssim) = (psnr, ssim) }
}
