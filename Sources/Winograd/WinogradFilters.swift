import Kernels
/// Winograd-domain filters `U[ξ][o][i] = (G g Gᵀ)[ξ]` of an r×r convolution with `rows`
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
    var scratch: Int { (tile.r &* tile.alpha &+ tile.r &* tile.r) &* ld }

    /// Fills `u` from `weight` `[cout, cin, r, r]`. Not `flipped`: rows are output
    /// channels, `U = G w[o, i] Gᵀ`. `flipped` (for the input gradient, a convolution
    /// of the output gradient with the filter rotated 180° and its channels swapped):
    /// rows are input channels, `U = G rot180(w[i, o]) Gᵀ`. Parallel over rows.
    func transform(_ u: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>, cin: Int, flipped: Bool, context: KernelContext) {
        let tmp = context.perWorker(.winogradFilterRows, items: rows, count: scratch)
        let (alpha, r) = (tile.alpha, tile.r), taps = r &* r
        // weight index of (row o, column i, tap) = o·rowStride + i·colStride + tap (or r² − 1 − tap)
        let (rowStride, colStride) = flipped ? (taps, cin &* taps) : (cin &* taps, taps)
        parallelChunks(rows, threads: context.threads) { worker, range in
            let g = tmp[worker], t = g + taps &* ld
            for o in range {
                // g[tap][i]: the column's r×r filters side by side, zero-padded to ld.
                for tap in 0..<taps {
                    let src = weight + (o &* rowStride &+ (flipped ? taps &- 1 &- tap : tap))
                    let dst = g + tap &* ld
                    for i in 0..<cols { dst[i] = src[i &* colStride] }
                    (dst + cols).update(repeating: 0, count: ld &- cols)
                }
                let gc = UnsafePointer(g)
                tile.filterTransform({ gc + $0 &* r &* ld }, { t + $0 &* r &* ld }, count: r &* ld)
                for a in 0..<alpha {
                    let src = UnsafePointer(t + a &* r &* ld), dst = u + (a &* alpha &* ps &+ o &* ld)
                    tile.filterTransform({ src + $0 &* ld }, { dst + $0 &* ps }, count: ld)
                }
            }
        }
    }

    /// `dWeight[o, i] += Gᵀ (Σ_k partials[k])[·][o][i] G` for the `[cout, cin, r, r]`
    /// weight gradient (rows are output channels). Partials are summed in index order,
    /// row by row in parallel, so the bits do not depend on scheduling.
    func accumulateGradient(_ dWeight: UnsafeMutablePointer<Float>, partials: [UnsafeMutablePointer<Float>], context: KernelContext) {
        let tmp = context.perWorker(.winogradFilterRows, items: rows, count: scratch)
        let (alpha, r) = (tile.alpha, tile.r), taps = r &* r
        let total = partials[0]
        parallelChunks(rows, threads: context.threads) { worker, range in
            let t = tmp[worker], f = t + r &* alpha &* ld
            for o in range {
                for xi in 0..<(alpha &* alpha) {
                    let row = total + (xi &* ps &+ o &* ld)
                    for k in partials.indices.dropFirst() { add(row, partials[k] + (xi &* ps &+ o &* ld), ld) }
                }
                for a in 0..<alpha {
                    let src = UnsafePointer(total + (a &* alpha &* ps &+ o &* ld)), dst = t + a &* r &* ld
                    tile.filterAdjoint({ src + $0 &* ps }, { dst + $0 &* ld }, count: ld)
                }
                let tc = UnsafePointer(t)
                tile.filterAdjoint({ tc + $0 &* r &* ld }, { f + $0 &* r &* ld }, count: r &* ld)
                // f[tap][i] → dWeight[o, i, tap]
                let dst = dWeight + o &* cols &* taps
                for i in 0..<cols {
                    for tap in 0..<taps { dst[i &* taps &+ tap] += f[tap &* ld &+ i] }
                }
            }
        }
    }
}
