/// Winograd-domain filters `U[ξ][o][i] = (G g Gᵀ)[ξ]` of a 3×3 convolution with `rows`
/// output and `cols` input channels: position ξ's `[rows × cols]` matrix has row stride
/// `ld` (`cols` padded to the SIMD width) and starts `ps·ξ` floats in. The same layout
/// holds the Winograd-domain weight gradient.
struct WinogradFilters {
    let tile: WinogradTile
    let rows, cols, ld, ps: Int

    init(tile: WinogradTile, rows: Int, cols: Int) {
        self.tile = tile
        (self.rows, self.cols) = (rows, cols)
        ld = roundUp(cols, winogradLanes)
        ps = avoidAliasing(rows &* ld)
    }

    /// Floats of the whole `[α²][rows][ld]` array.
    var count: Int { tile.alpha &* tile.alpha &* ps }
    /// Floats of one worker's scratch for `transform` and `accumulateGradient`.
    var scratch: Int { (3 &* tile.alpha &+ 9) &* ld }

    /// Fills `u` from `weight` `[cout, cin, 3, 3]`. Not `flipped`: rows are output
    /// channels, `U = G w[o, i] Gᵀ`. `flipped` (for the input gradient, a convolution
    /// of the output gradient with the filter rotated 180° and its channels swapped):
    /// rows are input channels, `U = G rot180(w[i, o]) Gᵀ`. Parallel over rows.
    func transform(_ u: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>, cin: Int, flipped: Bool) {
        let tmp = Scratch.shared.perWorker("winograd.filter", items: rows, count: scratch)
        let alpha = tile.alpha
        // weight index of (row o, column i, tap) = o·rowStride + i·colStride + tap (or 8 − tap)
        let (rowStride, colStride) = flipped ? (9, cin &* 9) : (cin &* 9, 9)
        parallelChunks(rows) { worker, range in
            let g = tmp[worker], t = g + 9 &* ld
            for o in range {
                // g[tap][i]: the column's 3×3 filters side by side, zero-padded to ld.
                for tap in 0..<9 {
                    let src = weight + (o &* rowStride &+ (flipped ? 8 &- tap : tap))
                    let dst = g + tap &* ld
                    for i in 0..<cols { dst[i] = src[i &* colStride] }
                    (dst + cols).update(repeating: 0, count: ld &- cols)
                }
                let gc = UnsafePointer(g)
                tile.filterTransform({ gc + $0 &* 3 &* ld }, { t + $0 &* 3 &* ld }, count: 3 &* ld)
                for a in 0..<alpha {
                    let src = UnsafePointer(t + a &* 3 &* ld), dst = u + (a &* alpha &* ps &+ o &* ld)
                    tile.filterTransform({ src + $0 &* ld }, { dst + $0 &* ps }, count: ld)
                }
            }
        }
    }

    /// `dWeight[o, i] += Gᵀ (Σ_k partials[k])[·][o][i] G` for the `[cout, cin, 3, 3]`
    /// weight gradient (rows are output channels). Partials are summed in index order,
    /// row by row in parallel, so the bits do not depend on scheduling.
    func accumulateGradient(_ dWeight: UnsafeMutablePointer<Float>, partials: [UnsafeMutablePointer<Float>]) {
        let tmp = Scratch.shared.perWorker("winograd.filter", items: rows, count: scratch)
        let alpha = tile.alpha
        let total = partials[0]
        parallelChunks(rows) { worker, range in
            let t = tmp[worker], r = t + 3 &* alpha &* ld
            for o in range {
                for xi in 0..<(alpha &* alpha) {
                    let row = total + (xi &* ps &+ o &* ld)
                    for k in partials.indices.dropFirst() { add(row, partials[k] + (xi &* ps &+ o &* ld), ld) }
                }
                for a in 0..<alpha {
                    let src = UnsafePointer(total + (a &* alpha &* ps &+ o &* ld)), dst = t + a &* 3 &* ld
                    tile.filterAdjoint({ src + $0 &* ps }, { dst + $0 &* ld }, count: ld)
                }
                let tc = UnsafePointer(t)
                tile.filterAdjoint({ tc + $0 &* 3 &* ld }, { r + $0 &* 3 &* ld }, count: 3 &* ld)
                // r[tap][i] → dWeight[o, i, tap]
                let dst = dWeight + o &* cols &* 9
                for i in 0..<cols {
                    for tap in 0..<9 { dst[i &* 9 &+ tap] += r[tap &* ld &+ i] }
                }
            }
        }
    }
}
