import CPrefetch
import Kernels
/// How the `h × w` planes of a batch are cut into Winograd tiles and work units, and
/// the tile-row transforms between image planes and the Winograd domain.
///
/// Tiles are m×m output squares in row-major order (the last row and column may hang
/// over the image edge; their outside part reads zeros and is not written). A work unit
/// is a band of `rowsPerUnit` tile rows of one image. Its Winograd-domain data is a
/// `[α²][channel][tile]` array: position ξ's `[channel × tile]` matrix has row stride
/// `ld` and starts `planeStride(channels)·ξ` floats in, so each of the α² GEMMs runs
/// over all channels and all tiles of the unit.
struct WinogradGeometry {
    let tile: WinogradTile
    let m, r, alpha, h, w: Int
    let tilesX, tilesY: Int
    /// `tilesX` rounded up to the SIMD width: the vector length of a tile row.
    let lanesX: Int
    let rowsPerUnit, unitsPerImage, units: Int
    /// Row stride of a `[channel][tile]` matrix; a tile row's transform writes `lanesX`
    /// columns, so the slack after the last row is at least `lanesX − tilesX`.
    let ld: Int

    /// - Parameters:
    ///   - unitTiles: at most this many tiles per work unit (but at least one tile row;
    ///     0 = whole images). Fewer rows are used when the batch has fewer images than
    ///     workers, so every worker gets a unit.
    ///   - threads: the workers the units are split across.
    init(tile: WinogradTile, shape s: Conv2dShape, unitTiles: Int, threads: Int) {
        self.tile = tile
        (m, r, alpha, h, w) = (tile.m, tile.r, tile.alpha, s.h, s.w)
        tilesX = (w &+ m &- 1) / m
        tilesY = (h &+ m &- 1) / m
        lanesX = roundUp(tilesX, winogradLanes)
        let perImage = (threads &+ s.n &- 1) / max(s.n, 1)
        let rows = min(unitTiles > 0 ? min(tilesY, max(1, unitTiles / tilesX)) : tilesY, max(1, tilesY / perImage))
        // Bands of equal height: MDSR's 5×5 layers on 48×48 patches have 12 tile rows
        // of 12 tiles, which 128-tile units would cut 10 + 2 (a short last GEMM); 6 + 6
        // ran those layers 0.90× (forward and backward, 1 thread).
        let bands = (tilesY &+ rows &- 1) / rows
        rowsPerUnit = (tilesY &+ bands &- 1) / bands
        unitsPerImage = (tilesY &+ rowsPerUnit &- 1) / rowsPerUnit
        units = s.n &* unitsPerImage
        ld = roundUp(rowsPerUnit &* tilesX, winogradLanes) &+ winogradLanes
    }

    /// α², the number of Winograd positions (and GEMMs per unit).
    var positions: Int { alpha &* alpha }

    /// Floats between position planes of a `channels`-row matrix: padded off multiples
    /// of 4 KiB, where the planes would map to the same cache sets and evict each other.
    func planeStride(_ channels: Int) -> Int { avoidAliasing(channels &* ld) }

    /// Row stride of a position's `[tile][channel]` matrix (a `[channel][tile]` one
    /// transposed) of `channels` channels.
    func transposedLd(_ channels: Int) -> Int { roundUp(channels, winogradLanes) }

    /// Floats between position planes of the transposed matrices: a row for every tile
    /// of a unit, rounded up to whole groups of 8 (the transpose's blocks).
    func transposedPlaneStride(_ channels: Int) -> Int {
        avoidAliasing(roundUp(rowsPerUnit &* tilesX, winogradLanes) &* transposedLd(channels))
    }

    /// Length of a deinterleaved input phase: room for one tile more than `tilesX`, for
    /// the window columns past the last tile's own m. Lanes past `tilesX` may read the
    /// next phase's (finite) values; they land in columns no GEMM reads.
    var lanesP: Int { roundUp(tilesX &+ 1, winogradLanes) }

    /// Floats of one worker's tile-row scratch (the largest of the three block transforms).
    var rowScratch: Int { max(windowScratch, (m &* rowsPerUnit &+ r &+ alpha) &* m &* lanesP) }

    /// The image, tile-row range and tile count of work unit `u`.
    func unit(_ u: Int) -> (image: Int, rows: Range<Int>, tiles: Int) {
        let (image, band) = u.quotientAndRemainder(dividingBy: unitsPerImage)
        let first = band &* rowsPerUnit
        let rows = first..<min(tilesY, first &+ rowsPerUnit)
        return (image, rows, rows.count &* tilesX)
    }

    /// Input transform `Bᵀ d B` of every α×α window of `rows` of `channels` planes
    /// `[channels, h, w]` into `v` (`[α²][channel][tile]`, plane stride `ps`).
    func inputBlock(_ x: UnsafePointer<Float>, channels: Int, rows: Range<Int>, into v: UnsafeMutablePointer<Float>,
                    ps: Int, tmp: UnsafeMutablePointer<Float>) {
        if alpha == 8 { return inputWindows(x, channels: channels, rows: rows, into: v, ps: ps, tmp: tmp) }
        // p[yy][q][j] = x[m·ty0 − r/2 + yy][m·j + q − r/2]: the band's rows (and the window
        // rows above and below it) split into m column phases, so window column l of
        // tile j is phase l mod m at j + l / m, and every transform reads whole vectors.
        let phaseRow = m &* lanesP, bandRows = m &* rows.count &+ r &- 1
        let p = tmp, padded = p + bandRows &* phaseRow, q = padded + phaseRow
        for c in 0..<channels {
            deinterleave(x + c &* h &* w, firstRow: m &* rows.lowerBound &- r / 2, rows: bandRows, shift: r / 2,
                         into: p, phaseLength: lanesP, padded: padded)
            for ty in rows {
                let top = UnsafePointer(p + m &* (ty &- rows.lowerBound) &* phaseRow)
                tile.inputTransform({ top + $0 &* phaseRow }, { q + $0 &* phaseRow }, count: phaseRow)
                let dst = v + (c &* ld &+ (ty &- rows.lowerBound) &* tilesX)
                for i in 0..<alpha {
                    let qi = UnsafePointer(q + i &* phaseRow), di = dst + i &* alpha &* ps
                    // Window column l < α ≤ 2m is phase l mod m, shifted by l / m ∈ {0, 1}.
                    tile.inputTransform({ (l: Int) -> UnsafePointer<Float> in l < m ? qi + l &* lanesP : qi + ((l &- m) &* lanesP &+ 1) },
                                        { di + $0 &* ps }, count: lanesX)
                }
            }
        }
    }

    /// Output transform `Aᵀ M A` of `rows` of `channels` Winograd-domain matrices `mm`
    /// (plane stride `ps`) plus `bias[c]` into planes `[channels, h, w]` through
    /// `epilogue` (at `y`'s offset).
    func outputBlock(_ mm: UnsafePointer<Float>, ps: Int, into y: UnsafeMutablePointer<Float>, channels: Int, rows: Range<Int>,
                     bias: UnsafePointer<Float>?, epilogue: ConvEpilogue, tmp: UnsafeMutablePointer<Float>) {
        let phaseRow = m &* lanesX
        let r = tmp, out = tmp + alpha &* phaseRow
        let aux = epilogue.auxiliary
        for c in 0..<channels {
            let b = bias?[c] ?? 0
            for ty in rows {
                // The epilogue's other tensor (the skip, the ReLU output) at the next
                // channel's rows: like the input side's planes, it comes from L3 or memory
                // (EDSR-baseline ×2 step 0.97×, medians of 10 interleaved runs, 1 and 2
                // threads; prefetching the destination for writing as well was 1.03×).
                if let aux, c &+ 1 < channels {
                    prefetchFloats(aux + ((c &+ 1) &* h &* w &+ m &* ty &* w), min(m, h &- m &* ty) &* w)
                }
                let src = mm + (c &* ld &+ (ty &- rows.lowerBound) &* tilesX)
                for i in 0..<alpha {
                    let si = src + i &* alpha &* ps, ri = r + i &* phaseRow
                    tile.outputTransform({ si + $0 &* ps }, { ri + $0 &* lanesX }, count: lanesX)
                }
                let rc = UnsafePointer(r)
                tile.outputTransform({ rc + $0 &* phaseRow }, { out + $0 &* phaseRow }, count: phaseRow)
                // out[q][rr][tx] is pixel (m·ty + q, m·tx + rr).
                for q in 0..<min(m, h &- m &* ty) {
                    let offset = c &* h &* w &+ (m &* ty &+ q) &* w
                    interleave(out + q &* phaseRow, phaseLength: lanesX, plus: b, into: y + offset,
                               epilogue: epilogue.shifted(offset))
                }
            }
        }
    }

    /// The output transform's adjoint `A dY Aᵀ` of every m×m tile of `rows` of `channels`
    /// gradient planes `[channels, h, w]` into `v` (`[α²][channel][tile]`, plane stride `ps`).
    func gradientBlock(_ dy: UnsafePointer<Float>, channels: Int, rows: Range<Int>, into v: UnsafeMutablePointer<Float>,
                       ps: Int, tmp: UnsafeMutablePointer<Float>) {
        if alpha == 8 { return gradientWindows(dy, channels: channels, rows: rows, into: v, ps: ps, tmp: tmp) }
        // g[yy][r][j] = dy[m·ty0 + yy][m·j + r]: the band's tiles split into column phases.
        let phaseRow = m &* lanesX, bandRows = m &* rows.count
        let g = tmp, padded = g + bandRows &* phaseRow, s = padded + phaseRow
        for c in 0..<channels {
            deinterleave(dy + c &* h &* w, firstRow: m &* rows.lowerBound, rows: bandRows, shift: 0,
                         into: g, phaseLength: lanesX, padded: padded)
            for ty in rows {
                let top = UnsafePointer(g + m &* (ty &- rows.lowerBound) &* phaseRow)
                tile.outputAdjoint({ top + $0 &* phaseRow }, { s + $0 &* phaseRow }, count: phaseRow)
                let dst = v + (c &* ld &+ (ty &- rows.lowerBound) &* tilesX)
                for i in 0..<alpha {
                    let si = UnsafePointer(s + i &* phaseRow), di = dst + i &* alpha &* ps
                    tile.outputAdjoint({ si + $0 &* lanesX }, { di + $0 &* ps }, count: lanesX)
                }
            }
        }
    }

    /// Splits `rows` rows of a `[h, w]` plane, from row `firstRow` on, into m column
    /// phases: `d[yy][r][j] = plane[firstRow + yy][m·j + r − shift]`, `j < phaseLength`,
    /// zero outside the plane. `padded` holds one row (m·phaseLength floats).
    private func deinterleave(_ plane: UnsafePointer<Float>, firstRow: Int, rows: Int, shift: Int,
                              into d: UnsafeMutablePointer<Float>, phaseLength: Int, padded: UnsafeMutablePointer<Float>) {
        let rowLen = m &* phaseLength
        padded.update(repeating: 0, count: rowLen)
        for yy in 0..<rows {
            let y = firstRow &+ yy, dst = d + yy &* rowLen
            guard y >= 0 && y < h else {
                dst.update(repeating: 0, count: rowLen)
                continue
            }
            // The zeros around the copied row stay from the first fill.
            copyFloats(padded + shift, plane + y &* w, w)
            switch m {
            case 2: splitPhases(padded, 2, dst, phaseLength)
            case 4: splitPhases(padded, 4, dst, phaseLength)
            default: splitPhases(padded, 6, dst, phaseLength)
            }
        }
    }

    /// `row[m·j + r] = epilogue(src[r·phaseLength + j] + bias)` for the `w` columns of the row.
    @inline(__always)
    private func interleave(_ src: UnsafePointer<Float>, phaseLength: Int, plus bias: Float, into row: UnsafeMutablePointer<Float>,
                            epilogue: ConvEpilogue) {
        let full = w / m
        epilogue.withStore(into: row) { store in
            switch m {
            case 2: mergePhases(src, 2, phaseLength, full, bias, store)
            case 4: mergePhases(src, 4, phaseLength, full, bias, store)
            default: mergePhases(src, 6, phaseLength, full, bias, store)
            }
            for r in 0..<(w &- full &* m) { store(src[r &* phaseLength &+ full] + bias, m &* full &+ r) }
        }
    }
}

/// `d[r·n + j] = src[m·j + r]`; called with a literal `m` so the loop vectorises as
/// interleaved loads.
@inline(__always)
private func splitPhases(_ src: UnsafePointer<Float>, _ m: Int, _ d: UnsafeMutablePointer<Float>, _ n: Int) {
    for j in 0..<n {
        for r in 0..<m { d[r &* n &+ j] = src[m &* j &+ r] }
    }
}

/// `store(src[r·n + j] + bias, m·j + r)` for j < `count`; literal `m` as in `splitPhases`.
@inline(__always)
private func mergePhases(_ src: UnsafePointer<Float>, _ m: Int, _ n: Int, _ count: Int, _ bias: Float,
                         _ store: (Float, Int) -> Void) {
    for j in 0..<count {
        for r in 0..<m { store(src[r &* n &+ j] + bias, m &* j &+ r) }
    }
}

@inline(__always) func roundUp(_ x: Int, _ k: Int) -> Int { (x &+ k &- 1) / k &* k }

/// `stride` rounded up to an odd number of 64-byte cache lines. The transforms touch
/// all α² position planes at once; a stride of an even number of lines would put them in
/// a fraction of the L1 sets (a multiple of 4 KiB: all in one; 18 KiB, as for 64
/// channels of a 48×48 F(6×6) unit: two of 64) and evict each other.
@inline(__always) func avoidAliasing(_ stride: Int) -> Int {
    let lines = (stride &+ 15) / 16
    return (lines | 1) &* 16
}

/// Prefetches `p[0..<n]` for reading, a 64-byte cache line (16 floats) at a time.
@inline(__always)
func prefetchFloats(_ p: UnsafePointer<Float>, _ n: Int) {
    var o = 0
    while o < n {
        srdist_prefetch(p + o)
        o &+= 16
    }
}

/// `dst[i] = src[i]` for i < n, inline: for the short rows of the Winograd transforms a
/// call to memmove costs more than the copy.
@inline(__always)
func copyFloats(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    while i &+ 8 <= n {
        UnsafeMutableRawPointer(dst + i).storeBytes(of: UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self),
                                                    as: SIMD8<Float>.self)
        i &+= 8
    }
    while i < n {
        dst[i] = src[i]
        i &+= 1
    }
}
