import Foundation

/// MATLAB-compatible bicubic resize (`imresize(img, scale, 'bicubic')`), the way the
/// DIV2K and benchmark LR images were made: Keys' cubic kernel with a = −0.5, the
/// kernel widened by 1/scale when shrinking (antialiasing), weights normalised per
/// output pixel, symmetric (mirror) borders, rows then columns, rounded to 8 bits.
public enum Bicubic {
    /// Resizes by `scale` (e.g. 1/2 to make ×2 LR images, 2 to make the bicubic baseline)
    /// to `outWidth × outHeight` (MATLAB: ceil(size × scale)).
    public static func resize(_ img: RGBImage, scale: Double, outWidth: Int, outHeight: Int) -> RGBImage {
        let wx = weights(inLength: img.width, outLength: outWidth, scale: scale)
        let wy = weights(inLength: img.height, outLength: outHeight, scale: scale)
        // MATLAB resizes along the dimension with the smaller scale first; for the
        // uniform scales used here both orders agree, and it does height (dim 1) first.
        var tmp = [Double](repeating: 0, count: outHeight * img.width * 3)
        for y in 0..<outHeight {
            let (first, taps) = wy[y]
            for x in 0..<img.width {
                for c in 0..<3 {
                    var acc = 0.0
                    for (k, wgt) in taps.enumerated() { acc += wgt * Double(img[x, first[k], c]) }
                    tmp[(y * img.width + x) * 3 + c] = acc
                }
            }
        }
        // MATLAB rounds to uint8 after each dimension.
        for i in tmp.indices { tmp[i] = min(max(tmp[i].rounded(), 0), 255) }
        var out = RGBImage(width: outWidth, height: outHeight)
        for y in 0..<outHeight {
            for x in 0..<outWidth {
                let (first, taps) = wx[x]
                for c in 0..<3 {
                    var acc = 0.0
                    for (k, wgt) in taps.enumerated() { acc += wgt * tmp[(y * img.width + first[k]) * 3 + c] }
                    out[x, y, c] = UInt8(min(max(acc.rounded(), 0), 255))
                }
            }
        }
        return out
    }

    /// `imresize(hr, 1/s)`: the LR image of scale `s` for an HR image (cropped to a multiple of s).
    public static func downscale(_ hr: RGBImage, by s: Int) -> RGBImage {
        resize(hr, scale: 1 / Double(s), outWidth: hr.width / s, outHeight: hr.height / s)
    }

    /// `imresize(lr, s)`: the bicubic baseline every model is compared against.
    public static func upscale(_ lr: RGBImage, by s: Int) -> RGBImage {
        resize(lr, scale: Double(s), outWidth: lr.width * s, outHeight: lr.height * s)
    }

    /// Keys' cubic convolution kernel with a = −0.5.
    static func cubic(_ x: Double) -> Double {
        let ax = abs(x), ax2 = ax * ax, ax3 = ax2 * ax
        if ax <= 1 { return 1.5 * ax3 - 2.5 * ax2 + 1 }
        if ax <= 2 { return -0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2 }
        return 0
    }

    /// For each output index: the input indices (mirrored into range) and their
    /// normalised weights, as MATLAB's `contributions`.
    static func weights(inLength: Int, outLength: Int, scale: Double) -> [([Int], [Double])] {
        let antialias = scale < 1
        let width = antialias ? 4 / scale : 4
        let taps = Int(ceil(width)) + 2
        return (0..<outLength).map { o in
            let u = Double(o + 1) / scale + 0.5 * (1 - 1 / scale)  // 1-based input coordinate
            let left = Int(floor(u - width / 2))
            var idx: [Int] = [], w: [Double] = []
            for k in 0..<taps {
                let j = left + k  // 1-based
                let d = u - Double(j)
                let wgt = antialias ? scale * cubic(d * scale) : cubic(d)
                if wgt == 0 { continue }
                idx.append(mirror(j - 1, inLength))
                w.append(wgt)
            }
            let total = w.reduce(0, +)
            return (idx, w.map { $0 / total })
        }
    }

    /// Symmetric padding as MATLAB: −1 → 0, n → n−1.
    static func mirror(_ i: Int, _ n: Int) -> Int {
        let period = 2 * n
        var j = i % period
        if j < 0 { j += period }
        return j < n ? j : period - 1 - j
    }
}
