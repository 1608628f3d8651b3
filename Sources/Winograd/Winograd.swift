import Kernels
import CBLAS

/// Forward r×r convolution (stride 1, zero "same" padding) by Winograd F(m×m, r×r):
/// same arguments and result as `im2colConv2dForward` up to rounding (F(4×4), F(6×6) ~1e-5
/// relative, see `WinogradTests`). Input `[n, cin, h, w]`, weight `[cout, cin, r, r]`
/// (r = `tile.r`),
/// bias `[cout]`, output `[n, cout, h, w]` (written through `epilogue`). Any h × w: edge
/// tiles read zeros outside the image and write only inside it.
///
/// Work units (bands of tile rows of one image) are split across workers, each running
/// single-threaded BLAS: per unit, the input transform, α² GEMMs
/// `M[ξ] (cout × tiles) = U[ξ] (cout × cin) · V[ξ] (cin × tiles)`, then the output
/// transform with the bias, while the unit's data is still in cache. A layer with more
/// filters than `winogradFilterFloats` runs this once per block of output channels
/// (`winogradChannelBlocks`), each block transforming the input again.
func winogradConv2dForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                                  weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                  shape s: Conv2dShape, tile: WinogradTile, context: KernelContext,
                                  epilogue: ConvEpilogue = .none) {
    precondition(s.k == tile.r, "winograd: tile \(tile) needs \(tile.r)×\(tile.r) kernels")
    let g = WinogradGeometry(tile: tile, shape: s, unitTiles: context.settings.unitTiles, threads: context.threads)
    let psIn = g.planeStride(s.cin), taps = s.k &* s.k
    let tmp = context.perWorker(.winogradRows, items: g.units, count: g.rowScratch)
    for block in context.settings.winogradChannelBlocks(s, tile: tile) {
        let filters = WinogradFilters(tile: tile, rows: block.count, cols: s.cin)
        let u = context.buffer(.winogradFilters, count: filters.count)
        filters.transform(u, weight: weight + block.lowerBound &* s.cin &* taps, cin: s.cin, flipped: false, context: context)
        let psOut = g.planeStride(block.count)
        let (vIn, vOut) = gemmBuffers(g, sourcePs: psIn, resultPs: psOut, context: context)
        let queue = WorkQueue(g.units)
        parallelChunks(g.units, threads: context.threads) { worker, _ in
            while let unit = queue.next() {
                let (image, rows, tiles) = g.unit(unit)
                g.inputBlock(input + image &* s.cin &* s.plane, channels: s.cin, rows: rows, into: vIn[worker], ps: psIn,
                             tmp: tmp[worker])
                positionGemms(g, c: vOut[worker], psC: psOut, a: u, filters, b: vIn[worker], psB: psIn,
                              m: block.count, k: s.cin, tiles: tiles)
                let offset = (image &* s.cout &+ block.lowerBound) &* s.plane
                g.outputBlock(vOut[worker], ps: psOut, into: output + offset, channels: block.count,
                              rows: rows, bias: bias.map { $0 + block.lowerBound }, epilogue: epilogue.shifted(offset),
                              tmp: tmp[worker])
            }
        }
    }
}

/// Backward of `winogradConv2dForward`, same arguments and accumulation rule as
/// `im2colConv2dBackward`:
/// - `dInput` (optional, written through `dInputEpilogue`): the forward kernel applied
///   to `dOutput` with the filter rotated 180° and cin/cout swapped;
/// - `dWeight` `+=` `Gᵀ [Σ_tiles (A dY Aᵀ) ⊙ (Bᵀ x B)] G`, the weight gradient taken in the
///   Winograd domain (per position a GEMM `dU[ξ] += dM[ξ] · V[ξ]ᵀ`, cout × cin over tiles);
/// - `dBias` `+= Σ_hw dOutput`.
/// Workers sum their units privately; partial sums are added in worker order, so the
/// same thread count gives the same bits on every run. Blocks of output channels
/// (`winogradChannelBlocks`) each take their rows of the weight gradient and add their
/// share of the input gradient, through `dInputEpilogue` when it is a store or a sum,
/// otherwise into scratch that the epilogue is applied from once.
func winogradConv2dBackward(dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                                   dBias: UnsafeMutablePointer<Float>?, dOutput: UnsafePointer<Float>,
                                   input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                   shape s: Conv2dShape, tile: WinogradTile, context: KernelContext,
                                   dInputEpilogue: ConvEpilogue = .none) {
    precondition(s.k == tile.r, "winograd: tile \(tile) needs \(tile.r)×\(tile.r) kernels")
    let blocks = context.settings.winogradChannelBlocks(s, tile: tile)
    let direct: Bool
    switch dInputEpilogue {
    case .none, .accumulate: direct = true
    default: direct = blocks.count == 1
    }
    let sum = direct ? dInput : dInput.map { _ in context.buffer(.epilogue, count: s.inputCount) }
    for (b, block) in blocks.enumerated() {
        let epilogue: ConvEpilogue = b > 0 ? .accumulate : direct ? dInputEpilogue : .none
        winogradBlockBackward(dInput: sum, dWeight: dWeight, dBias: dBias, dOutput: dOutput, input: input, weight: weight,
                              shape: s, channels: block, tile: tile, context: context, dInputEpilogue: epilogue)
    }
    if !direct, let dInput, let sum { dInputEpilogue.apply(sum, into: dInput, count: s.inputCount, threads: context.threads) }
}

/// `winogradConv2dBackward` for output channels `channels` of the layer: their rows of
/// `dWeight` and `dBias`, and the input gradient through their filters alone.
private func winogradBlockBackward(dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                                   dBias: UnsafeMutablePointer<Float>?, dOutput: UnsafePointer<Float>,
                                   input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                   shape s: Conv2dShape, channels: Range<Int>, tile: WinogradTile,
                                   context: KernelContext, dInputEpilogue: ConvEpilogue) {
    let g = WinogradGeometry(tile: tile, shape: s, unitTiles: context.settings.unitTiles, threads: context.threads)
    let cout = channels.count, first = channels.lowerBound &* s.plane
    let weightOffset = channels.lowerBound &* s.cin &* s.k &* s.k
    let grads = WinogradFilters(tile: tile, rows: cout, cols: s.cin)
    let flipped = WinogradFilters(tile: tile, rows: s.cin, cols: cout)
    let u = context.buffer(.winogradFilters, count: flipped.count)
    if dInput != nil { flipped.transform(u, weight: weight + weightOffset, cin: s.cin, flipped: true, context: context) }
    let psIn = g.planeStride(s.cin), psOut = g.planeStride(cout)
    // vOut holds the output gradient's adjoint transform, then its input transform (the
    // input gradient's GEMM source); vIn that GEMM's result. The input's transform, only
    // read by the transpose, goes to whichever of the two has its plane stride.
    let (vOut, vIn) = gemmBuffers(g, sourcePs: psOut, resultPs: psIn, context: context)
    let vX = psIn == psOut ? vOut : vIn
    let tmp = context.perWorker(.winogradRows, items: g.units, count: g.rowScratch)
    let partials = context.perWorker(.winogradWeightGradients, items: g.units, count: grads.count &+ cout)
    let (ldT, psT) = (g.transposedLd(s.cin), g.transposedPlaneStride(s.cin))
    let vT = context.perWorker(.winogradInputTransposed, items: g.units, count: g.positions &* psT)
    // The weight gradient's units are split in fixed chunks (its partial sums are added
    // in worker order); the input gradient's, whose results do not depend on the worker,
    // are taken one at a time afterwards, which evens out workers of unequal speed.
    let dInputUnits = WorkQueue(g.units)
    parallelChunks(g.units, threads: context.threads) { worker, units in
        let dU = partials[worker], dB = dU + grads.count
        // The worker's first unit overwrites its partial sums instead of zeroing them
        // first (16 MiB a worker for a 256-channel F(6×6) layer).
        dB.update(repeating: 0, count: cout)
        for unit in units {
            let beta: Float = unit == units.lowerBound ? 0 : 1
            let (image, rows, tiles) = g.unit(unit)
            let x = input + image &* s.cin &* s.plane, dy = dOutput + (image &* s.cout &* s.plane &+ first)
            g.inputBlock(x, channels: s.cin, rows: rows, into: vX[worker], ps: psIn, tmp: tmp[worker])
            // dU[ξ] += dM[ξ] · V[ξ]ᵀ as a plain product with V[ξ] transposed: OpenBLAS's
            // NoTrans·NoTrans kernels run these shapes 1.2–1.6× faster than NoTrans·Trans
            // (64×64×64, one core: 124–146 GFLOPS against 78–89), more than the transpose costs.
            for xi in 0..<g.positions {
                transposeMatrix(vX[worker] + xi &* psIn, ld: g.ld, rows: s.cin, cols: tiles, into: vT[worker] + xi &* psT, ldT: ldT)
            }
            g.gradientBlock(dy, channels: cout, rows: rows, into: vOut[worker], ps: psOut, tmp: tmp[worker])
            // Position (1, 1) of A dY Aᵀ evaluates both axes at the point 1: each tile's
            // sum (zeros outside the image), so the bias gradient needs 64 values a channel
            // here rather than a second pass over dY's 2304.
            let tileSums = vOut[worker] + (g.alpha &+ 1) &* psOut
            for co in 0..<cout { dB[co] += sum(tileSums + co &* g.ld, tiles) }
            for xi in 0..<g.positions {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(cout), Int32(s.cin), Int32(tiles),
                            1, vOut[worker] + xi &* psOut, Int32(g.ld), vT[worker] + xi &* psT, Int32(ldT),
                            beta, dU + xi &* grads.ps, Int32(grads.ld))
            }
        }
        guard let dInput else { return }
        while let unit = dInputUnits.next() {
            let (image, rows, tiles) = g.unit(unit)
            let dy = dOutput + (image &* s.cout &* s.plane &+ first)
            g.inputBlock(dy, channels: cout, rows: rows, into: vOut[worker], ps: psOut, tmp: tmp[worker])
            positionGemms(g, c: vIn[worker], psC: psIn, a: u, flipped, b: vOut[worker], psB: psOut,
                          m: s.cin, k: cout, tiles: tiles)
            let offset = image &* s.cin &* s.plane
            g.outputBlock(vIn[worker], ps: psIn, into: dInput + offset, channels: s.cin,
                          rows: rows, bias: nil, epilogue: dInputEpilogue.shifted(offset), tmp: tmp[worker])
        }
    }
    grads.accumulateGradient(dWeight + weightOffset, partials: partials, context: context)
    if let dBias {
        for p in partials { add(dBias + channels.lowerBound, p + grads.count, cout) }
    }
}

/// Per worker, the Winograd-domain arrays a unit's position GEMMs read (`source`,
/// planes of `sourcePs` floats) and write (`result`). With equal plane strides (every
/// F → F layer) they share one buffer of α² + 1 planes, `result` one plane before
/// `source`: GEMM ξ reads buffer plane ξ + 1 and writes plane ξ, the source plane GEMM
/// ξ − 1 has read. Half the scratch: a 64-channel 48×48 unit's planes (1.2 MB, not 2.4)
/// and its filters (1 MB) fit a 2 MiB L2 together, so the transforms stop refilling
/// their planes from L3 (body 64→64, 1 thread: forward 0.90–0.96×, backward 0.93–0.97×).
private func gemmBuffers(_ g: WinogradGeometry, sourcePs: Int, resultPs: Int, context: KernelContext)
    -> (source: [UnsafeMutablePointer<Float>], result: [UnsafeMutablePointer<Float>]) {
    guard sourcePs == resultPs else {
        return (context.perWorker(.winogradGemmSource, items: g.units, count: g.positions &* sourcePs),
                context.perWorker(.winogradGemmResult, items: g.units, count: g.positions &* resultPs))
    }
    let shared = context.perWorker(.winogradGemmSource, items: g.units, count: (g.positions &+ 1) &* sourcePs)
    return (shared.map { $0 + sourcePs }, shared)
}

/// `C[ξ] (m × tiles) = A[ξ] (m × k) · B[ξ] (k × tiles)` for every Winograd position,
/// in blocks small enough for OpenBLAS's small-matrix kernel (`SmallGemm`).
@inline(__always)
private func positionGemms(_ g: WinogradGeometry, c: UnsafeMutablePointer<Float>, psC: Int,
                           a: UnsafePointer<Float>, _ filters: WinogradFilters, b: UnsafePointer<Float>, psB: Int,
                           m: Int, k: Int, tiles: Int) {
    let blocks = SmallGemm(m: m, n: tiles, k: k)
    for xi in 0..<g.positions {
        let (aXi, bXi, cXi) = (a + xi &* filters.ps, b + xi &* psB, c + xi &* psC)
        blocks.forEach { rows, inner, first in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows.count), Int32(tiles), Int32(inner.count),
                        1, aXi + (rows.lowerBound &* filters.ld &+ inner.lowerBound), Int32(filters.ld),
                        bXi + inner.lowerBound &* g.ld, Int32(g.ld),
                        first ? 0 : 1, cXi + rows.lowerBound &* g.ld, Int32(g.ld))
        }
    }
}

/// How to cut `C (m × n) = A (m × k) · B (k × n)` into blocks of rows of C and slices
/// of the inner dimension so that each call stays within OpenBLAS's small-matrix GEMM
/// kernel (taken for M·N·K ≤ 100³ on AVX-512 cores, and about twice as fast here as its
/// packed path for these shapes: 66 → 86 GFLOPS for 256 channels, 63 → 104 for
/// 64 → 256, one core).
struct SmallGemm {
    static let limit = 1_000_000
    let m, k, rowBlock, innerBlock: Int

    init(m: Int, n: Int, k: Int) {
        (self.m, self.k) = (m, k)
        guard m &* n &* k > Self.limit else {
            (rowBlock, innerBlock) = (m, k)
            return
        }
        rowBlock = min(m, 64)
        let most = max(8, Self.limit / max(1, rowBlock &* n))
        let slices = (k &+ most &- 1) / most
        innerBlock = (k &+ slices &- 1) / slices
    }

    /// Calls `body(rows, inner, first)` per block, `first` for the first inner slice of
    /// each row block (which overwrites C; the others accumulate into it).
    @inline(__always)
    func forEach(_ body: (_ rows: Range<Int>, _ inner: Range<Int>, _ first: Bool) -> Void) {
        var i = 0
        while i < m {
            let rows = i..<min(m, i &+ rowBlock)
            var j = 0
            while j < k {
                body(rows, j..<min(k, j &+ innerBlock), j == 0)
                j &+= innerBlock
            }
            i = rows.upperBound
        }
    }
}

/// `dst[t·ldT + c] = src[c·ld + t]` for c < `rows`, t < `cols`: a `[channel][tile]`
/// matrix as `[tile][channel]`, by 8×8 vector transposes. Columns are read (and rows of
/// `dst` written) in whole groups of 8, which the padding of `ld` and of the transposed
/// plane stride leaves room for; the extra ones are never read by the GEMMs.
@inline(__always)
private func transposeMatrix(_ src: UnsafePointer<Float>, ld: Int, rows: Int, cols: Int,
                             into dst: UnsafeMutablePointer<Float>, ldT: Int) {
    let fullRows = rows / 8 &* 8
    var c = 0
    while c < fullRows {
        var t = 0
        while t < cols {
            transpose8({ loadLanes(src + ((c &+ $0) &* ld &+ t)) }, { storeLanes($1, dst + ((t &+ $0) &* ldT &+ c)) })
            t &+= 8
        }
        c &+= 8
    }
    for c in fullRows..<rows {
        for t in 0..<cols { dst[t &* ldT &+ c] = src[c &* ld &+ t] }
    }
}
