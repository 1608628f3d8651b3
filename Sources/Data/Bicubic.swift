import Foundation

/// MATLAB-compatible bicubic resize (`imresize(img, scale, 'bicubic')` on a uint8
/// image), the way the DIV2K and benchmark LR images were made:
/// - Keys' cubic kernel with a = −0.5, widened to 4/scale when shrinking
///   (antialiasing: h(x) = scale · cubic(scale · x));
/// - output pixel i (1-based) samples input coordinate i/scale + ½(1 − 1/scale);
/// - weights normalised per output pixel; symmetric (mirror) borders;
/// - separable: vertically (MATLAB's dimension 1) first, then horizontally;
/// - like MATLAB's `imresizemex`, each 1-D pass returns uint8, so the intermediate
///   image is clamped and rounded too; rounding is half away from zero.
///
/// Checked bit-exact against the NumPy reference in `tools/reference/bicubic.py`.
public enum Bicubic {
    /// Resizes by `scale` (e.g. 1/2 to make ×2 LR images, 2 to make the bicubic
    /// baseline) to `outWidth × outHeight` (MATLAB: ceil(size × scale)).
    public static func resize(_ img: RGBImage, scale: Double, outWidth: Int, outHeight: Int) -> RGBImage {
        let rows = Contributions(inLength: img.height, outLength: outHeight, scale: scale)
        let cols = Contributions(inLength: img.width, outLength: outWidth, scale: scale)
        let tmp = resizeRows(img.pixels, width: img.width, rows)
        var out = RGBImage(width: outWidth, height: outHeight)
        resizeColumns(tmp, inWidth: img.width, height: outHeight, cols, into: &out.pixels)
        return out
    }

    /// `imresize(hr, 1/s)` of `hr` cropped to a multiple of `s`: the LR image of scale `s`.
    public static func downscale(_ hr: RGBImage, by s: Int) -> RGBImage {
        let (w, h) = (hr.width / s, hr.height / s)
        return resize(hr.cropped(width: w * s, height: h * s), scale: 1 / Double(s), outWidth: w, outHeight: h)
    }

    /// `imresize(lr, s)`: the bicubic baseline every model is compared against.
    public static func upscale(_ lr: RGBImage, by s: Int) -> RGBImage {
        resize(lr, scale: Double(s), outWidth: lr.width * s, outHeight: lr.height * s)
    }

    /// Vertical pass: output row y is a weighted sum of whole input rows, so the
    /// inner loop runs over a contiguous row (vectorises).
    static func resizeRows(_ src: [UInt8], width: Int, _ c: Contributions) -> [UInt8] {
        let rowLength = width * 3
        var out = [UInt8](repeating: 0, count: c.outLength * rowLength)
        var acc = [Double](repeating: 0, count: rowLength)
        src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                acc.withUnsafeMutableBufferPointer { a in
                    for y in 0..<c.outLength {
                        a.update(repeating: 0)
                        for k in 0..<c.taps {
                            let w = c.weights[y &* c.taps &+ k]
                            let row = s.baseAddress! + c.indices[y &* c.taps &+ k] &* rowLength
                            for i in 0..<rowLength { a[i] += w * Double(row[i]) }
                        }
                        let dst = o.baseAddress! + y &* rowLength
                        for i in 0..<rowLength { dst[i] = toUInt8(a[i]) }
                    }
                }
            }
        }
        return out
    }

    /// Horizontal pass over the `inWidth`-wide rows of `src` into `out`.
    static func resizeColumns(_ src: [UInt8], inWidth: Int, height: Int, _ c: Contributions, into out: inout [UInt8]) {
        let (inRow, outRow) = (inWidth * 3, c.outLength * 3)
        src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                c.weights.withUnsafeBufferPointer { wts in
                    c.indices.withUnsafeBufferPointer { idx in
                        for y in 0..<height {
                            let row = s.baseAddress! + y &* inRow, dst = o.baseAddress! + y &* outRow
                            for x in 0..<c.outLength {
                                var (r, g, b) = (0.0, 0.0, 0.0)
                                for k in 0..<c.taps {
                                    let w = wts[x &* c.taps &+ k], p = row + idx[x &* c.taps &+ k] &* 3
                                    r += w * Double(p[0])
                                    g += w * Double(p[1])
                                    b += w * Double(p[2])
                                }
                                dst[x &* 3] = toUInt8(r)
                                dst[x &* 3 &+ 1] = toUInt8(g)
                                dst[x &* 3 &+ 2] = toUInt8(b)
                            }
                        }
                    }
                }
            }
        }
    }

    /// MATLAB's double → uint8: clamp, then round half away from zero.
    @inline(__always)
    static func toUInt8(_ v: Double) -> UInt8 { UInt8(min(max(v, 0), 255) + 0.5) }

    /// Keys' cubic convolution kernel with a = −0.5.
    static func cubic(_ x: Double) -> Double {
        let ax = abs(x), ax2 = ax * ax, ax3 = ax2 * ax
        if ax <= 1 { return 1.5 * ax3 - 2.5 * ax2 + 1 }
        if ax <= 2 { return -0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2 }
        return 0
    }

    /// Symmetric padding as MATLAB: −1 → 0, n → n−1.
    static func mirror(_ i: Int, _ n: Int) -> Int {
        let period = 2 * n
        var j = i % period
        if j < 0 { j += period }
        return j < n ? j : period - 1 - j
    }
}

/// The taps of one 1-D pass, as MATLAB's `contributions`: for output index o, input
/// `indices[o·taps + k]` (mirrored into range) with weight `weights[o·taps + k]`.
/// Tap columns that are zero for every output are dropped, as MATLAB drops them.
struct Contributions {
    let outLength: Int
    let taps: Int
    let indices: [Int]
    let weights: [Double]

    init(inLength: Int, outLength: Int, scale: Double) {
        let antialias = scale < 1
        let width = antialias ? 4 / scale : 4
        let allTaps = Int(ceil(width)) + 2
        var idx = [Int](repeating: 0, count: outLength * allTaps)
        var wts = [Double](repeating: 0, count: outLength * allTaps)
        var used = [Bool](repeating: false, count: allTaps)
        for o in 0..<outLength {
            let u = Double(o + 1) / scale + 0.5 * (1 - 1 / scale)  // 1-based input coordinate
            let left = Int(floor(u - width / 2))
            var total = 0.0
            for k in 0..<allTaps {
                let d = u - Double(left + k)
                let w = antialias ? scale * Bicubic.cubic(d * scale) : Bicubic.cubic(d)
                idx[o * allTaps + k] = Bicubic.mirror(left + k - 1, inLength)
                wts[o * allTaps + k] = w
                total += w
                if w != 0 { used[k] = true }
            }
            for k in 0..<allTaps { wts[o * allTaps + k] /= total }
        }
        let keep = used.indices.filter { used[$0] }
        self.outLength = outLength
        taps = keep.count
        indices = (0..<outLength).flatMap { o in keep.map { idx[o * allTaps + $0] } }
        weights = (0..<outLength).flatMap { o in keep.map { wts[o * allTaps + $0] } }
    }
}
