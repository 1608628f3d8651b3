import Foundation

/// Peak signal-to-noise ratio of two 8-bit RGB images (interleaved, same size), as
/// the super-resolution literature computes it: on the Y channel of ITU-R BT.601
/// (`Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255`) with `shave` pixels removed
/// from every border (benchmark protocol: shave = scale), or on RGB (`onY` false;
/// DIV2K protocol: shave = scale + 6). Returns +∞ for identical images.
public func psnr(_ a: [UInt8], _ b: [UInt8], width: Int, height: Int, shave: Int, onY: Bool) -> Double {
    precondition(a.count == width * height * 3 && b.count == a.count, "psnr: image sizes differ")
    var se = 0.0
    var n = 0
    for y in shave..<max(shave, height - shave) {
        for x in shave..<max(shave, width - shave) {
            let i = (y * width + x) * 3
            if onY {
                let d = luma(a, i) - luma(b, i)
                se += d * d
                n += 1
            } else {
                for c in 0..<3 {
                    let d = Double(a[i + c]) - Double(b[i + c])
                    se += d * d
                }
                n += 3
            }
        }
    }
    precondition(n > 0, "psnr: shave \(shave) leaves no pixels of a \(width)×\(height) image")
    return se == 0 ? .infinity : 10 * log10(255 * 255 / (se / Double(n)))
}

/// BT.601 luma on the 0…255 scale of pixel `i` (MATLAB's rgb2ycbcr Y, unrounded).
@inline(__always)
func luma(_ p: [UInt8], _ i: Int) -> Double {
    16 + (65.481 * Double(p[i]) + 128.553 * Double(p[i + 1]) + 24.966 * Double(p[i + 2])) / 255
}
