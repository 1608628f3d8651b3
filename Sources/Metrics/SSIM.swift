import Foundation
import Kernels

/// Structural similarity of two 8-bit RGB images (interleaved, same size) as MATLAB's
/// `ssim_index` and BasicSR's `calculate_ssim` compute it: an 11×11 Gaussian window
/// (σ = 1.5), "valid" filtering (no padding: the map is `(w − 10) × (h − 10)`),
/// C1 = (0.01·255)², C2 = (0.03·255)², Double precision, on the Y channel (`onY`) or
/// on R, G and B with the three mean SSIMs averaged; `shave` pixels are removed from
/// every border first. The scored area must be at least 11×11. Rows are split across
/// `threads` workers.
public func ssim(_ a: [UInt8], _ b: [UInt8], width: Int, height: Int, shave: Int, onY: Bool, threads: Int) -> Double {
    precondition(a.count == width * height * 3 && b.count == a.count, "ssim: image sizes differ")
    return ssim(a, rowWidth: width, b, rowWidth: width, ScoredArea(width: width, height: height, shave: shave, onY: onY),
                threads: threads)
}

/// SSIM over `area` of two images whose rows may differ in length (an uncropped HR).
func ssim(_ a: [UInt8], rowWidth aw: Int, _ b: [UInt8], rowWidth bw: Int, _ area: ScoredArea, threads: Int) -> Double {
    precondition(area.innerWidth >= ssimWindow && area.innerHeight >= ssimWindow,
                 "ssim: a \(area.innerWidth)×\(area.innerHeight) area is smaller than the 11×11 window")
    var total = 0.0
    for channel in area.channels {
        let x = scoredPlane(a, rowWidth: aw, area, channel), y = scoredPlane(b, rowWidth: bw, area, channel)
        total += x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                meanSSIM(xp.baseAddress!, yp.baseAddress!, width: area.innerWidth, height: area.innerHeight, threads: threads)
            }
        }
    }
    return total / Double(area.channels.count)
}

/// Side of the Gaussian window.
let ssimWindow = 11

/// The normalised 1-D Gaussian, `g[i] ∝ exp(−(i − 5)² / (2 · 1.5²))`; the 2-D window
/// is its outer product (as `fspecial('gaussian', 11, 1.5)` and OpenCV's kernel).
let ssimGaussian: [Double] = {
    let g = (0..<ssimWindow).map { i -> Double in
        let d = Double(i - ssimWindow / 2)
        return exp(-d * d / (2 * 1.5 * 1.5))
    }
    let sum = g.reduce(0, +)
    return g.map { $0 / sum }
}()

/// Mean of the SSIM map of two planes `[height, width]`. The window is separable:
/// each input row is filtered horizontally once (for x, y, x², y², xy) into a ring of
/// the last 11 rows, and each output row is the vertical filter over that ring, so a
/// 2K plane needs 110 multiply-adds per pixel and a few rows of memory. Output rows are
/// split across workers; their partial sums are added in worker order.
func meanSSIM(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, width w: Int, height h: Int, threads: Int) -> Double {
    let k = ssimWindow
    let (ow, oh) = (w - k + 1, h - k + 1)
    let c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255)
    let workers = workerCount(oh, threads: threads)
    let partial = UnsafeMutablePointer<Double>.allocate(capacity: workers)
    defer { partial.deallocate() }
    ssimGaussian.withUnsafeBufferPointer { gb in
        let g = gb.baseAddress!
        parallelChunks(oh, threads: threads) { worker, rows in
            // ring[slot][q][ox] holds the horizontally filtered x, y, x², y², xy (q = 0…4)
            // of input row `first + slot (mod k)`; acc[q][ox] is one vertically filtered row.
            let rowSize = 5 &* ow
            let ring = UnsafeMutablePointer<Double>.allocate(capacity: k &* rowSize)
            let acc = UnsafeMutablePointer<Double>.allocate(capacity: rowSize)
            defer { ring.deallocate(); acc.deallocate() }
            let first = rows.lowerBound
            var sum = 0.0
            for r in first..<(rows.upperBound &+ k &- 1) {
                horizontalMoments(ring + ((r &- first) % k) &* rowSize, x + r &* w, y + r &* w, g, width: ow)
                let top = r &- (k &- 1)  // the output row whose window ends at input row r
                guard top >= first else { continue }
                acc.update(repeating: 0, count: rowSize)
                for t in 0..<k {
                    let src = ring + ((top &+ t &- first) % k) &* rowSize, gt = g[t]
                    for i in 0..<rowSize { acc[i] += gt * src[i] }
                }
                for ox in 0..<ow {
                    let mx = acc[ox], my = acc[ow &+ ox]
                    let vx = acc[2 &* ow &+ ox] - mx * mx, vy = acc[3 &* ow &+ ox] - my * my
                    let cxy = acc[4 &* ow &+ ox] - mx * my
                    let luminance = (2 * mx * my + c1) / (mx * mx + my * my + c1)
                    sum += luminance * (2 * cxy + c2) / (vx + vy + c2)
                }
            }
            partial[worker] = sum
        }
    }
    var total = 0.0
    for i in 0..<workers { total += partial[i] }
    return total / Double(ow * oh)
}

/// One row of the horizontal pass: `out[q][ox] = Σ_t g[t] · v_q(ox + t)` for
/// v = x, y, x², y², xy over the `width + 10` input samples of rows `x` and `y`.
@inline(__always)
private func horizontalMoments(_ out: UnsafeMutablePointer<Double>, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>,
                               _ g: UnsafePointer<Double>, width ow: Int) {
    let (sx, sy, sxx, syy, sxy) = (out, out + ow, out + 2 &* ow, out + 3 &* ow, out + 4 &* ow)
    out.update(repeating: 0, count: 5 &* ow)
    for t in 0..<ssimWindow {
        let gt = g[t], xt = x + t, yt = y + t
        for i in 0..<ow {
            let a = xt[i], b = yt[i]
            sx[i] += gt * a
            sy[i] += gt * b
            sxx[i] += gt * (a * a)
            syy[i] += gt * (b * b)
            sxy[i] += gt * (a * b)
        }
    }
}
