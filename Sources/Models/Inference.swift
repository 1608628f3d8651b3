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
    ///   - tile: if set, the LR image is cut into cores of at most `tile × tile` pixels
    ///     (`TileGrid`), each run with `overlap` pixels of context on every side; only
    ///     cores are pasted back, so the result equals whole-image inference (to float
    ///     rounding) when `overlap` covers the network's receptive-field radius, and
    ///     memory scales with the tile.
    ///   - selfEnsemble: average the outputs of the 8 flips/rotations of each window.
    public func upscale(_ image: [Float], h: Int, w: Int, tile: Int? = nil, overlap: Int = 16, selfEnsemble: Bool = false) -> [Float] {
        let grid = TileGrid(h: h, w: w, tile: tile, overlap: overlap)
        guard grid.count > 1 else { return windowOutput(image, grid, 0, selfEnsemble: selfEnsemble) }
        let (oh, ow, s) = (h * scale, w * scale, scale)
        var out = [Float](repeating: 0, count: 3 * oh * ow)
        for i in 0..<grid.count {
            let core = grid.core(i), pixels = grid.core(i, of: windowOutput(image, grid, i, selfEnsemble: selfEnsemble), scale: s)
            let (ch, cw) = (core.rows.count * s, core.cols.count * s)
            for c in 0..<3 {
                for y in 0..<ch {
                    let dst = (c * oh + core.rows.lowerBound * s + y) * ow + core.cols.lowerBound * s, src = (c * ch + y) * cw
                    out.replaceSubrange(dst..<(dst + cw), with: pixels[src..<(src + cw)])
                }
            }
        }
        return out
    }

    /// The network's output `[3, rows·s, cols·s]` for window `i` of `grid` over
    /// planar `image` (the whole image when the grid has one window).
    public func windowOutput(_ image: [Float], _ grid: TileGrid, _ i: Int, selfEnsemble: Bool) -> [Float] {
        let (wh, ww) = (grid.core(i).window.rows.count, grid.core(i).window.cols.count)
        let window = grid.count == 1 ? image : grid.window(i, of: image)
        guard selfEnsemble else { return run(window, h: wh, w: ww) }
        var sum = [Double](repeating: 0, count: 3 * wh * ww * scale * scale)
        for t in 0..<8 {
            let (x, th, tw) = dihedral(window, h: wh, w: ww, t)
            let (back, _, _) = dihedral(run(x, h: th, w: tw), h: th * scale, w: tw * scale, inverse(t))
            for j in sum.indices { sum[j] += Double(back[j]) }
        }
        return sum.map { Float($0 / 8) }
    }

    private func run(_ image: [Float], h: Int, w: Int) -> [Float] {
        image.withUnsafeBufferPointer { Array(UnsafeBufferPointer(start: forward($0.baseAddress!, h, w), count: 3 * h * w * scale * scale)) }
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
