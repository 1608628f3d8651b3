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
    let m, alpha, h, w: Int
    let tilesX, tilesY: Int
    /// `tilesX` rounded up to the SIMD width: the vector length of a tile row.
    let lanesX: Int
    let rowsPerUnit, unitsPerImage, units: Int
    /// Row stride of a `[channel][tile]` matrix; a tile row's transform writes `lanesX`
    /// columns, so the slack after the last row is at least `lanesX − tilesX`.
    let ld: Int

    /// - Parameters:
    ///   - unitTiles: tiles per work unit to aim for (whole tile rows; 0 = whole images).
    ///     Fewer rows are used when the batch has fewer images than workers.
    init(tile: WinogradTile, shape s: Conv2dShape, unitTiles: Int) {
        self.tile = tile
        (m, alpha, h, w) = (tile.m, tile.alpha, s.h, s.w)
        tilesX = (w &+ m &- 1) / m
        tilesY = (h &+ m &- 1) / m
        lanesX = roundUp(tilesX, winogradLanes)
        var rows = unitTiles > 0 ? min(tilesY, max(1, unitTiles / tilesX)) : tilesY
        let perImage = (Threads.count &+ s.n &- 1) / max(s.n, 1)
        rows = min(rows, max(1, tilesY / perImage))
        rowsPerUnit = rows
        unitsPerImage = (tilesY &+ rows &- 1) / rows
        units = s.n &* unitsPerImage
        ld = roundUp(rows &* tilesX, winogradLanes) &+ winogradLanes
    }

    /// α², the number of Winograd positions (and GEMMs per unit).
    var positions: Int { alpha &* alpha }

    /// Floats between position planes of a `channels`-row matrix: padded off multiples
    /// of 4 KiB, where the planes would alias in the cache (../shared/notes/conv-speed.md).
    func planeStride(_ channels: Int) -> Int { avoidAliasing(channels &* ld) }

    /// Floats of one worker's tile-row scratch.
    var rowScratch: Int { 2 &* positions &* lanesX }

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
        let rowLen = alpha &* lanesX
        let e = tmp, f = tmp + alpha &* rowLen
        for c in 0..<channels {
            let plane = x + c &* h &* w
            for ty in rows {
                // e[k][l][tx] = window row k, column l of tile tx (zero outside the image).
                for k in 0..<alpha {
                    let y = m &* ty &+ k &- 1
                    let ek = e + k &* rowLen
                    guard y >= 0 && y < h else {
                        ek.update(repeating: 0, count: rowLen)
                        continue
                    }
                    for l in 0..<alpha { gather(ek + l &* lanesX, plane + y &* w, offset: l &- 1) }
                }
                tile.inputTransform(e, rowLen, f, rowLen, count: rowLen)
                let dst = v + (c &* ld &+ (ty &- rows.lowerBound) &* tilesX)
                for i in 0..<alpha {
                    tile.inputTransform(f + i &* rowLen, lanesX, dst + i &* alpha &* ps, ps, count: lanesX)
                }
            }
        }
    }

    /// Output transform `Aᵀ M A` of `rows` of `channels` Winograd-domain matrices `mm`
    /// (plane stride `ps`) into planes `[channels, h, w]` (overwritten), plus `bias[c]`.
    func outputBlock(_ mm: UnsafePointer<Float>, ps: Int, into y: UnsafeMutablePointer<Float>, channels: Int, rows: Range<Int>,
                     bias: UnsafePointer<Float>?, tmp: UnsafeMutablePointer<Float>) {
        let rowLen = m &* lanesX
        let r = tmp, out = tmp + alpha &* rowLen
        let full = w / m, rest = w &- full &* m
        for c in 0..<channels {
            let plane = y + c &* h &* w
            let b = bias?[c] ?? 0
            for ty in rows {
                let src = mm + (c &* ld &+ (ty &- rows.lowerBound) &* tilesX)
                for i in 0..<alpha {
                    tile.outputTransform(src + i &* alpha &* ps, ps, r + i &* rowLen, lanesX, count: lanesX)
                }
                tile.outputTransform(r, rowLen, out, rowLen, count: rowLen)
                // out[q][rr][tx] is pixel (m·ty + q, m·tx + rr).
                for q in 0..<min(m, h &- m &* ty) {
                    let row = plane + (m &* ty &+ q) &* w
                    let oq = out + q &* rowLen
                    for tx in 0..<full {
                        for rr in 0..<m { row[m &* tx &+ rr] = oq[rr &* lanesX &+ tx] + b }
                    }
                    for rr in 0..<rest { row[m &* full &+ rr] = oq[rr &* lanesX &+ full] + b }
                }
            }
        }
    }

    /// The output transform's adjoint `A dY Aᵀ` of every m×m tile of `rows` of `channels`
    /// gradient planes `[channels, h, w]` into `v` (`[α²][channel][tile]`, plane stride `ps`).
    func gradientBlock(_ dy: UnsafePointer<Float>, channels: Int, rows: Range<Int>, into v: UnsafeMutablePointer<Float>,
                       ps: Int, tmp: UnsafeMutablePointer<Float>) {
        let rowLen = m &* lanesX
        let g = tmp, s = tmp + m &* rowLen
        for c in 0..<channels {
            let plane = dy + c &* h &* w
            for ty in rows {
                // g[q][r][tx] = tile row q, column r of tile tx (zero outside the image).
                for q in 0..<m {
                    let y = m &* ty &+ q
                    let gq = g + q &* rowLen
                    guard y < h else {
                        gq.update(repeating: 0, count: rowLen)
                        continue
                    }
                    for r in 0..<m { gather(gq + r &* lanesX, plane + y &* w, offset: r) }
                }
                tile.outputAdjoint(g, rowLen, s, rowLen, count: rowLen)
                let dst = v + (c &* ld &+ (ty &- rows.lowerBound) &* tilesX)
                for i in 0..<alpha {
                    tile.outputAdjoint(s + i &* rowLen, lanesX, dst + i &* alpha &* ps, ps, count: lanesX)
                }
            }
        }
    }

    /// `dst[tx] = row[m·tx + offset]` for tx in 0..<lanesX, zero where that column is
    /// outside `0..<w`.
    @inline(__always)
    private func gather(_ dst: UnsafeMutablePointer<Float>, _ row: UnsafePointer<Float>, offset: Int) {
        let lo = offset < 0 ? 1 : 0
        let last = w &- 1 &- offset
        let hi = last < 0 ? lo : max(lo, min(lanesX, last / m &+ 1))
        if lo > 0 { dst[0] = 0 }
        let src = row + offset
        for tx in lo..<hi { dst[tx] = src[m &* tx] }
        if hi < lanesX { (dst + hi).update(repeating: 0, count: lanesX &- hi) }
    }
}

@inline(__always) func roundUp(_ x: Int, _ k: Int) -> Int { (x &+ k &- 1) / k &* k }

/// `stride`, plus one cache line when it is a multiple of 4 KiB of floats.
@inline(__always) func avoidAliasing(_ stride: Int) -> Int { stride % 1024 == 0 ? stride &+ 16 : stride }
