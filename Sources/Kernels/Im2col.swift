import CBLAS

/// Forward convolution, the reference path: `output = weight ⊛ input + bias`, computed
/// per image as `out[cout, hw] = W[cout, cin·k·k] · im2col(x)[cin·k·k, hw]` with one
/// sgemm per band of output rows, images split across workers. Bands keep the column
/// matrix at most `im2colBandFloats` (a whole training patch is one band); an output
/// value does not depend on its band.
public func im2colConv2dForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                                weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                shape s: Conv2dShape, context: KernelContext) {
    let band = s.k == 1 ? s.h : max(1, min(s.h, im2colBandFloats / max(1, s.patch &* s.w)))
    let cols = context.perWorker(.im2colColumns, items: s.n, count: s.k == 1 ? 1 : s.patch &* band &* s.w)
    parallelChunks(s.n, threads: context.threads) { worker, images in
        for i in images {
            let x = input + i &* s.cin &* s.plane
            let y = output + i &* s.cout &* s.plane
            for co in 0..<s.cout {
                (y + co &* s.plane).update(repeating: bias?[co] ?? 0, count: s.plane)
            }
            for y0 in stride(from: 0, to: s.h, by: band) {
                let rows = y0..<min(s.h, y0 &+ band), n = rows.count &* s.w
                let b = im2col(x, s, rows: rows, cols[worker])
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                            Int32(s.cout), Int32(n), Int32(s.patch),
                            1, weight, Int32(s.patch), b, Int32(n),
                            1, y + y0 &* s.w, Int32(s.plane))
            }
        }
    }
}

/// The most floats a worker's forward column matrix holds (32 MB): whole, the sliced
/// tail of MDSR-baseline's ×4 inference window (1424² HR pixels, 72 rows) needs 584 MB.
/// A band is still ≥ 10⁴ sgemm columns for the layers srdist runs through im2col.
let im2colBandFloats = 1 << 23

/// Backward convolution, the reference path. Given `dOutput` `[n, cout, h, w]` and the forward `input`:
/// - `dInput` (optional, overwritten) `= Wᵀ ⊛ dOutput`, via `col2im(Wᵀ · dOut)`;
/// - `dWeight` `+= dOut · im2col(x)ᵀ` summed over images (accumulates);
/// - `dBias` `+= Σ_hw dOut` (accumulates).
/// Each worker sums its images' weight gradients privately; the partial sums are then
/// added in worker order, so the result is the same bits on every run.
public func im2colConv2dBackward(dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                                 dBias: UnsafeMutablePointer<Float>?, dOutput: UnsafePointer<Float>,
                                 input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                 shape s: Conv2dShape, context: KernelContext) {
    let workers = workerCount(s.n, threads: context.threads)
    let cols = columnBuffers(s, context)
    let partials = context.perWorker(.im2colWeightGradients, items: s.n, count: s.weightCount + s.cout)
    parallelChunks(s.n, threads: context.threads) { worker, images in
        let dW = partials[worker], dB = dW + s.weightCount
        dW.update(repeating: 0, count: s.weightCount + s.cout)
        for i in images {
            let x = input + i &* s.cin &* s.plane
            let dy = dOutput + i &* s.cout &* s.plane
            let b = im2col(x, s, rows: 0..<s.h, cols[worker])
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                        Int32(s.cout), Int32(s.patch), Int32(s.plane),
                        1, dy, Int32(s.plane), b, Int32(s.plane),
                        1, dW, Int32(s.patch))
            for co in 0..<s.cout { dB[co] += sum(dy + co &* s.plane, s.plane) }
            guard let dInput else { continue }
            let dx = dInput + i &* s.cin &* s.plane
            // For 1×1 kernels the column matrix is the image itself: write straight into dx.
            let dcol = s.k == 1 ? dx : cols[worker]
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans,
                        Int32(s.patch), Int32(s.plane), Int32(s.cout),
                        1, weight, Int32(s.patch), dy, Int32(s.plane),
                        0, dcol, Int32(s.plane))
            if s.k != 1 { col2im(dx, dcol, s) }
        }
    }
    for w in 0..<workers {
        add(dWeight, partials[w], s.weightCount)
        if let dBias { add(dBias, partials[w] + s.weightCount, s.cout) }
    }
}

/// One im2col buffer per worker (none needed for 1×1 kernels).
private func columnBuffers(_ s: Conv2dShape, _ context: KernelContext) -> [UnsafeMutablePointer<Float>] {
    context.perWorker(.im2colColumns, items: s.n, count: s.k == 1 ? 1 : s.patch &* s.plane)
}

/// Calls `body(c, row, dy, dx, x0, x1)` for each row (c, ky, kx) of the column matrix,
/// in order: `row` its index, (dy, dx) = (ky − k/2, kx − k/2) the image shift it holds,
/// and `x0..<x1` the output columns whose shifted source column lies inside the image.
@inline(__always)
private func forEachColumnRow(_ s: Conv2dShape, _ body: (_ c: Int, _ row: Int, _ dy: Int, _ dx: Int, _ x0: Int, _ x1: Int) -> Void) {
    let p = s.k / 2
    var row = 0
    for c in 0..<s.cin {
        for ky in 0..<s.k {
            for kx in 0..<s.k {
                let dy = ky &- p, dx = kx &- p
                body(c, row, dy, dx, max(0, -dx), min(s.w, s.w &- dx))
                row &+= 1
            }
        }
    }
}

/// Unfolds output rows `rows` of one image `[cin, h, w]` into `[cin·k·k, rows·w]`: row
/// (c, ky, kx) holds the image shifted by (ky − k/2, kx − k/2) with zeros where it falls
/// off the border. Returns the column matrix (the image's rows themselves when k = 1).
private func im2col(_ x: UnsafePointer<Float>, _ s: Conv2dShape, rows: Range<Int>,
                    _ col: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
    if s.k == 1 { return x + rows.lowerBound &* s.w }
    let stride = rows.count &* s.w
    forEachColumnRow(s) { c, r, dy, dx, x0, x1 in
        let plane = x + c &* s.plane, row = col + r &* stride
        for y in rows {
            let dst = row + ((y &- rows.lowerBound) &* s.w)
            let sy = y &+ dy
            guard sy >= 0 && sy < s.h, x1 > x0 else {
                dst.update(repeating: 0, count: s.w)
                continue
            }
            if x0 > 0 { dst.update(repeating: 0, count: x0) }
            (dst + x0).update(from: plane + (sy &* s.w &+ x0 &+ dx), count: x1 &- x0)
            if x1 < s.w { (dst + x1).update(repeating: 0, count: s.w &- x1) }
        }
    }
    return UnsafePointer(col)
}

/// Folds a column-gradient matrix `[cin·k·k, h·w]` back onto the image gradient
/// `[cin, h, w]` (overwritten), the adjoint of `im2col`.
private func col2im(_ dx: UnsafeMutablePointer<Float>, _ col: UnsafePointer<Float>, _ s: Conv2dShape) {
    dx.update(repeating: 0, count: s.cin &* s.plane)
    forEachColumnRow(s) { c, r, dy, dxo, x0, x1 in
        guard x1 > x0 else { return }
        let plane = dx + c &* s.plane, row = col + r &* s.plane
        for y in 0..<s.h {
            let sy = y &+ dy
            guard sy >= 0 && sy < s.h else { continue }
            let src = row + (y &* s.w)
            let dst = plane + (sy &* s.w &+ dxo)
            for x in x0..<x1 { dst[x] += src[x] }
        }
    }
}
