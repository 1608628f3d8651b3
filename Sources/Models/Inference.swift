/// Inference wrappers that live apart from the architectures (as EDSR-PyTorch's
/// `forward_chop` and `forward_x8`): tiled inference for images too large to run in
/// one piece, and the paper's ×8 geometric self-ensemble ("+" models).
public struct Upscaler {
    public let scale: Int
    /// Batch-1 inference: planar `[3, h, w]` (0…255) → `[3, h·s, w·s]`, valid until the next call.
    let forward: (UnsafePointer<Float>, _ h: Int, _ w: Int) -> UnsafePointer<Float>

    public init(scale: Int, forward: @escaping (UnsafePointer<Float>, Int, Int) -> UnsafePointer<Float>) {
        (self.scale, self.forward) = (scale, forward)
    }

    /// Inference with `network` at `scale` (one of its scales).
    public init(_ network: SuperResolutionNetwork, scale: Int) {
        self.init(scale: scale) { x, h, w in UnsafePointer(network.forward(x, n: 1, h: h, w: w, scale: scale, training: false)) }
    }

    /// Super-resolves planar `image` `[3, h, w]` into `[3, h·s, w·s]`.
    /// - Parameters:
    ///   - tile: if set, the LR image is cut into `tile × tile` cores, each run with
    ///     `overlap` pixels of context on every side; only cores are pasted back, so
    ///     the result equals whole-image inference (to float rounding) when `overlap`
    ///     covers the network's receptive-field radius, and memory scales with the tile.
    ///   - selfEnsemble: average the outputs of the 8 flips/rotations of the input.
    public func upscale(_ image: [Float], h: Int, w: Int, tile: Int? = nil, overlap: Int = 16, selfEnsemble: Bool = false) -> [Float] {
        guard selfEnsemble else { return run(image, h: h, w: w, tile: tile, overlap: overlap) }
        let (oh, ow) = (h * scale, w * scale)
        var sum = [Double](repeating: 0, count: 3 * oh * ow)
        for t in 0..<8 {
            let (x, th, tw) = dihedral(image, h: h, w: w, t)
            let y = run(x, h: th, w: tw, tile: tile, overlap: overlap)
            let (back, bh, bw) = dihedral(y, h: th * scale, w: tw * scale, inverse(t))
            precondition(bh == oh && bw == ow)
            for i in sum.indices { sum[i] += Double(back[i]) }
        }
        return sum.map { Float($0 / 8) }
    }

    private func run(_ image: [Float], h: Int, w: Int, tile: Int?, overlap: Int) -> [Float] {
        let (oh, ow) = (h * scale, w * scale)
        guard let tile, tile < h || tile < w else {
            return image.withUnsafeBufferPointer { Array(UnsafeBufferPointer(start: forward($0.baseAddress!, h, w), count: 3 * oh * ow)) }
        }
        // Every window has the same size (shifted inward at the borders, where the
        // image edge gives the same zero padding as whole-image inference), so the
        // model allocates its buffers once.
        let (wh, ww) = (min(h, tile + 2 * overlap), min(w, tile + 2 * overlap))
        var out = [Float](repeating: 0, count: 3 * oh * ow)
        var window = [Float](repeating: 0, count: 3 * wh * ww)
        for cy in stride(from: 0, to: h, by: tile) {
            for cx in stride(from: 0, to: w, by: tile) {
                let (cy1, cx1) = (min(h, cy + tile), min(w, cx + tile))
                let y0 = min(max(0, cy - overlap), h - wh), x0 = min(max(0, cx - overlap), w - ww)
                for c in 0..<3 {
                    for y in 0..<wh {
                        let src = (c * h + y0 + y) * w + x0
                        window.replaceSubrange(((c * wh + y) * ww)..<((c * wh + y) * ww + ww), with: image[src..<(src + ww)])
                    }
                }
                let sr = window.withUnsafeBufferPointer { forward($0.baseAddress!, wh, ww) }
                let (sw, s) = (ww * scale, scale)
                for c in 0..<3 {
                    for y in (cy * s)..<(cy1 * s) {
                        let src = sr + (c * wh * s + y - y0 * s) * sw - x0 * s
                        let dst = (c * oh + y) * ow
                        for x in (cx * s)..<(cx1 * s) { out[dst + x] = src[x] }
                    }
                }
            }
        }
        return out
    }
}

/// Dihedral transform `t` of planar `[3, h, w]` (bit 0: horizontal flip, bit 1:
/// vertical flip, bit 2: transpose, applied to output coordinates as in
/// `PatchSampler`); returns the image and its new height and width.
func dihedral(_ x: [Float], h: Int, w: Int, _ t: Int) -> ([Float], Int, Int) {
    let (oh, ow) = t & 4 != 0 ? (w, h) : (h, w)
    var out = [Float](repeating: 0, count: x.count)
    for c in 0..<3 {
        for oy in 0..<oh {
            for ox in 0..<ow {
                var (sx, sy) = t & 4 != 0 ? (oy, ox) : (ox, oy)
                if t & 1 != 0 { sx = w - 1 - sx }
                if t & 2 != 0 { sy = h - 1 - sy }
                out[(c * oh + oy) * ow + ox] = x[(c * h + sy) * w + sx]
            }
        }
    }
    return (out, oh, ow)
}

/// The transform that undoes `t`: flips are their own inverses; with a transpose,
/// the flips swap axes.
func inverse(_ t: Int) -> Int {
    t & 4 == 0 ? t : 4 | ((t & 1) << 1) | ((t & 2) >> 1)
}
