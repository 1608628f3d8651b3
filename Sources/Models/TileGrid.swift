/// How tiled inference cuts an LR image of `h × w` pixels: along each side, ⌈side/tile⌉
/// cores of equal length (the last may be shorter by the remainder), each inside a
/// window with `overlap` pixels of context where the image has them. Every window has
/// the same size — shifted inward at the borders, where the image edge gives the same
/// zero padding as whole-image inference — so the network allocates its buffers once.
/// With an overlap that covers the receptive field a core's output is the whole
/// image's up to float rounding (the convolutions sum in another order in a window of
/// another size). With no tile, or a tile at least as large as both sides, the grid is
/// one window: the whole image. A tile is at least 1: "whole images" is nil, decided
/// where the setting is read.
public struct TileGrid: Sendable {
    public let h, w: Int
    private let rows, cols: [Range<Int>]
    private let overlap: Int
    /// Size of every window.
    private let windowH, windowW: Int

    public init(h: Int, w: Int, tile: Int?, overlap: Int) {
        precondition(tile.map { $0 > 0 } ?? true, "TileGrid: tile \(tile!) < 1")
        (self.h, self.w, self.overlap) = (h, w, overlap)
        func cores(_ side: Int) -> [Range<Int>] {
            guard let tile, tile < side else { return [0..<side] }
            let count = (side + tile - 1) / tile, length = (side + count - 1) / count
            return stride(from: 0, to: side, by: length).map { $0..<min(side, $0 + length) }
        }
        (rows, cols) = (cores(h), cores(w))
        windowH = rows.count == 1 ? h : min(h, rows[0].count + 2 * overlap)
        windowW = cols.count == 1 ? w : min(w, cols[0].count + 2 * overlap)
    }

    /// Number of windows.
    public var count: Int { rows.count * cols.count }

    /// Window `i`'s core (the LR rows and columns it contributes) and the window around
    /// it; windows go row by row.
    public func core(_ i: Int) -> (rows: Range<Int>, cols: Range<Int>, window: (rows: Range<Int>, cols: Range<Int>)) {
        func around(_ core: Range<Int>, _ side: Int, _ size: Int) -> Range<Int> {
            let start = min(max(0, core.lowerBound - overlap), side - size)
            return start..<(start + size)
        }
        let (r, c) = (rows[i / cols.count], cols[i % cols.count])
        return (r, c, (around(r, h, windowH), around(c, w, windowW)))
    }

    /// Window `i` of planar `image` `[3, h, w]`, as planar `[3, rows, cols]` of the window.
    public func window(_ i: Int, of image: [Float]) -> [Float] {
        let (wr, wc) = core(i).window
        var out = [Float](repeating: 0, count: 3 * wr.count * wc.count)
        for c in 0..<3 {
            for y in 0..<wr.count {
                let src = (c * h + wr.lowerBound + y) * w + wc.lowerBound, dst = (c * wr.count + y) * wc.count
                out.replaceSubrange(dst..<(dst + wc.count), with: image[src..<(src + wc.count)])
            }
        }
        return out
    }

    /// The core of window `i`'s network output `sr` (`[3, rows·s, cols·s]` of the
    /// window), as planar `[3, core rows·s, core cols·s]`.
    public func core(_ i: Int, of sr: [Float], scale s: Int) -> [Float] {
        let core = core(i)
        let (ch, cw, sh, sw) = (core.rows.count * s, core.cols.count * s, core.window.rows.count * s, core.window.cols.count * s)
        var out = [Float](repeating: 0, count: 3 * ch * cw)
        for c in 0..<3 {
            for y in 0..<ch {
                let src = (c * sh + (core.rows.lowerBound - core.window.rows.lowerBound) * s + y) * sw
                    + (core.cols.lowerBound - core.window.cols.lowerBound) * s
                let dst = (c * ch + y) * cw
                out.replaceSubrange(dst..<(dst + cw), with: sr[src..<(src + cw)])
            }
        }
        return out
    }
}
