import Kernels
/// Input-side block transforms for the α = 8 tiles (F(6×6, 3×3) and F(4×4, 5×5)), where
/// a tile's window row is exactly one SIMD vector: tile j's window in an image row is
/// the 8 contiguous floats from column m·j − r/2, so 8 tiles' windows loaded side by
/// side and transposed give the 8 window elements as vectors over tiles — what the 1-D
/// transforms take — with no scalar deinterleaving. Each block first transforms along
/// image rows (one row at a time, into `hRow`-float rows `[element][lanesX]`), then down
/// the columns. (The output side stays on the phase path: transposing m-pixel tiles
/// back measured slower than its scalar interleave.)
extension WinogradGeometry {
    /// Floats of one worker's scratch for these blocks: the band's zero-padded image
    /// rows and their row transforms.
    var windowScratch: Int {
        let bandRows = m &* rowsPerUnit &+ alpha &- m
        return bandRows &* (alpha &* lanesX &+ paddedRow)
    }

    /// A zero-padded image row: r/2 zeros, the row, zeros up to the last lane group's
    /// windows (m·lanesX + α floats from the start).
    private var paddedRow: Int { roundUp(m &* lanesX &+ alpha &+ r, winogradLanes) }

    /// Copies `count` rows of `plane` from row `first` on into `band` (`paddedRow`
    /// floats a row, `shift` zeros before each), leaving rows outside the plane zero.
    /// A pass of its own: the windows overlap, and loading them right after the stores
    /// that wrote them would stall store-to-load forwarding.
    private func padRows(_ plane: UnsafePointer<Float>, first: Int, count: Int, shift: Int,
                         into band: UnsafeMutablePointer<Float>) {
        for yy in 0..<count where first &+ yy >= 0 && first &+ yy < h {
            copyFloats(band + (yy &* paddedRow &+ shift), plane + (first &+ yy) &* w, w)
        }
    }

    /// `inputBlock` for α = 8. Window of tile j starts at padded column m·j: the r/2
    /// zeros stand for the columns left of the image.
    func inputWindows(_ x: UnsafePointer<Float>, channels: Int, rows: Range<Int>, into v: UnsafeMutablePointer<Float>,
                      ps: Int, tmp: UnsafeMutablePointer<Float>) {
        windowBlocks(x, channels: channels, rows: rows, bandRows: m &* rows.count &+ alpha &- m,
                     firstRow: m &* rows.lowerBound &- r / 2, shift: r / 2, into: v, ps: ps, tmp: tmp) {
            tile.inputTransform($0, $1, count: $2)
        }
    }

    /// `gradientBlock` for α = 8: the adjoint `A dY Aᵀ` of every m×m tile. Tile j's m
    /// values start at column m·j; the window's other α − m elements are the next
    /// tile's, which the m → α adjoint does not read.
    func gradientWindows(_ dy: UnsafePointer<Float>, channels: Int, rows: Range<Int>, into v: UnsafeMutablePointer<Float>,
                         ps: Int, tmp: UnsafeMutablePointer<Float>) {
        windowBlocks(dy, channels: channels, rows: rows, bandRows: m &* rows.count,
                     firstRow: m &* rows.lowerBound, shift: 0, into: v, ps: ps, tmp: tmp) {
            tile.outputAdjoint($0, $1, count: $2)
        }
    }

    /// The 2-D `transform` of every tile window of `rows` of `channels` planes into `v`
    /// (`[α²][channel][tile]`, plane stride `ps`): the band's `bandRows` image rows from
    /// `firstRow` on are padded (`shift` zeros on the left; zeros after w stay from the
    /// fill), transposed into element vectors and transformed along the row, then each
    /// tile row's α columns are transformed down.
    @inline(__always)
    private func windowBlocks(_ planes: UnsafePointer<Float>, channels: Int, rows: Range<Int>, bandRows: Int, firstRow: Int,
                              shift: Int, into v: UnsafeMutablePointer<Float>, ps: Int, tmp: UnsafeMutablePointer<Float>,
                              _ transform: (Elements, MutableElements, Int) -> Void) {
        let hRow = alpha &* lanesX
        let hb = tmp, band = tmp + bandRows &* hRow
        band.update(repeating: 0, count: bandRows &* paddedRow)
        for c in 0..<channels {
            padRows(planes + c &* h &* w, first: firstRow, count: bandRows, shift: shift, into: band)
            // The next channel's rows, a row per row of this one: they come from L3 or
            // memory (body 64→64, 1 thread: forward 0.95×, weight gradient 0.90×).
            let next = planes + (c &+ 1) &* h &* w
            for yy in 0..<bandRows {
                let y = firstRow &+ yy
                if c &+ 1 < channels && y >= 0 && y < h { prefetchFloats(next + y &* w, w) }
                let dst = hb + yy &* hRow
                transposeWindows(band + yy &* paddedRow, into: dst)
                let d = UnsafePointer(dst)
                transform({ d + $0 &* lanesX }, { dst + $0 &* lanesX }, lanesX)
            }
            for ty in rows {
                let top = UnsafePointer(hb + m &* (ty &- rows.lowerBound) &* hRow)
                let out = v + (c &* ld &+ (ty &- rows.lowerBound) &* tilesX)
                for j in 0..<alpha {
                    let column = top + j &* lanesX, dj = out + j &* ps
                    transform({ column + $0 &* hRow }, { dj + $0 &* alpha &* ps }, lanesX)
                }
            }
        }
    }

    /// For each group of 8 tiles: loads the 8 windows `src[m·j ..< m·j + 8]` and stores
    /// their transpose, element e of tile j at `dst[e·lanesX + j]`.
    @inline(__always)
    private func transposeWindows(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>) {
        var g = 0
        while g < lanesX {
            transpose8({ loadLanes(src + m &* (g &+ $0)) }, { storeLanes($1, dst + ($0 &* lanesX &+ g)) })
            g &+= 8
        }
    }
}

/// Calls `column(i, c)` with column i of the 8×8 matrix whose row i is `row(i)`, in
/// ascending i: three rounds of unzipping row pairs (each moves the column index's low
/// bit to the top of the row index), which compile to vector shuffles.
@inline(__always)
func transpose8(_ row: (Int) -> Lanes, _ column: (Int, Lanes) -> Void) {
    var (a0, a1, a2, a3, a4, a5, a6, a7) = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
    for _ in 0..<3 {
        let (b0, b4) = unzip(a0, a1), (b1, b5) = unzip(a2, a3), (b2, b6) = unzip(a4, a5), (b3, b7) = unzip(a6, a7)
        (a0, a1, a2, a3, a4, a5, a6, a7) = (b0, b1, b2, b3, b4, b5, b6, b7)
    }
    column(0, a0); column(1, a1); column(2, a2); column(3, a3)
    column(4, a4); column(5, a5); column(6, a6); column(7, a7)
}

/// The even and odd elements of `a` followed by `b`.
@inline(__always)
private func unzip(_ a: Lanes, _ b: Lanes) -> (Lanes, Lanes) {
    let ab = SIMD16(lowHalf: a, highHalf: b)
    return (ab.evenHalf, ab.oddHalf)
}
