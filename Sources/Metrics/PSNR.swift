import Foundation

/// Peak signal-to-noise ratio of two 8-bit RGB images (interleaved, same size), as
/// the super-resolution literature computes it (BasicSR's `calculate_psnr`): on the
/// Y channel of ITU-R BT.601 (`Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255`)
/// with `shave` pixels removed from every border (benchmark protocol: shave = scale),
/// or on RGB (`onY` false; DIV2K protocol: shave = scale + 6). The mean squared error
/// is taken over every scored sample in Double. Returns +∞ for identical images.
public func psnr(_ a: [UInt8], _ b: [UInt8], width: Int, height: Int, shave: Int, onY: Bool) -> Double {
    precondition(a.count == width * height * 3 && b.count == a.count, "psnr: image sizes differ")
    return psnr(a, rowWidth: width, b, rowWidth: width, ScoredArea(width: width, height: height, shave: shave, onY: onY))
}

/// PSNR over `area` of two images whose rows may differ in length (an uncropped HR).
func psnr(_ a: [UInt8], rowWidth aw: Int, _ b: [UInt8], rowWidth bw: Int, _ area: ScoredArea) -> Double {
    var se = 0.0
    var n = 0
    for channel in area.channels {
        let x = scoredPlane(a, rowWidth: aw, area, channel), y = scoredPlane(b, rowWidth: bw, area, channel)
        for i in x.indices {
            let d = x[i] - y[i]
            se += d * d
        }
        n += x.count
    }
    return se == 0 ? .infinity : 10 * log10(255 * 255 / (se / Double(n)))
}
