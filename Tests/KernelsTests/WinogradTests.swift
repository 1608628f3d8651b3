import Kernels
import TestSupport
import XCTest

/// Winograd against the Double direct-convolution oracle and against the im2col
/// reference, forward and both backward passes, for every 3×3 layer shape EDSR and MDSR
/// use (channel counts as in the models; planes small enough for the O(n⁶) oracle,
/// including sizes that are not multiples of the tile and smaller than one tile).
///
/// Tolerance: the largest error divided by the largest oracle magnitude of that tensor.
/// F(2×2) transforms only add, halve and subtract, so it rounds like im2col: 2e-6
/// (measured ≤ 1e-6). F(4×4)'s transforms scale by up to 8 and 1/24 and cancel large
/// terms; Lavin & Gray and ../shared/notes/conv-speed.md measure 4e-6 … 1.6e-5 relative,
/// so 5e-5 (measured ≤ TODO here) bounds it while a wrong tap, tile or edge gives O(1).
final class WinogradTests: XCTestCase {
    override func setUp() { Threads.configure(2) }

    /// (shape, what it is in EDSR/MDSR)
    let layers: [(Conv2dShape, String)] = [
        (Conv2dShape(n: 1, cin: 64, cout: 64, h: 48, w: 48, k: 3), "baseline body F→F at the training patch"),
        (Conv2dShape(n: 2, cin: 64, cout: 64, h: 13, w: 11, k: 3), "F→F, odd plane, partial tiles"),
        (Conv2dShape(n: 2, cin: 64, cout: 256, h: 10, w: 9, k: 3), "×2/×4 upsampler F→4F"),
        (Conv2dShape(n: 1, cin: 64, cout: 576, h: 7, w: 6, k: 3), "×3 upsampler F→9F"),
        (Conv2dShape(n: 1, cin: 256, cout: 256, h: 9, w: 7, k: 3), "EDSR body F→F, n = 1"),
        (Conv2dShape(n: 2, cin: 256, cout: 256, h: 6, w: 5, k: 3), "EDSR body F→F, n = 2"),
        (Conv2dShape(n: 1, cin: 256, cout: 1024, h: 5, w: 6, k: 3), "EDSR upsampler F→4F"),
        (Conv2dShape(n: 2, cin: 64, cout: 3, h: 18, w: 14, k: 3), "tail F→3 at HR"),
        (Conv2dShape(n: 1, cin: 256, cout: 3, h: 10, w: 10, k: 3), "EDSR tail F→3"),
        (Conv2dShape(n: 3, cin: 3, cout: 64, h: 7, w: 9, k: 3), "head 3→F (im2col when routed)"),
        (Conv2dShape(n: 2, cin: 5, cout: 4, h: 1, w: 3, k: 3), "plane smaller than one tile"),
    ]

    func tolerance(_ tile: WinogradTile) -> Double { tile == .f2x2 ? 2e-6 : 5e-5 }

    /// max |a − ref| / max |ref|
    func relativeError<A: Collection>(_ a: A, _ ref: [Double]) -> Double where A.Element == Float {
        let scale = max(ref.map(abs).max()!, 1e-30)
        return zip(a, ref).map { abs(Double($0) - $1) }.max()! / scale
    }

    func testForwardMatchesDirectConvolutionAndIm2col() {
        for tile in WinogradTile.allCases {
            for (i, (s, name)) in layers.enumerated() {
                let x = randomArray(s.inputCount, seed: UInt64(i)), wt = randomArray(s.weightCount, seed: UInt64(i + 100))
                let b = randomArray(s.cout, seed: UInt64(i + 200))
                var y = [Float](repeating: .nan, count: s.outputCount), ref = y
                winogradConv2dForward(output: &y, input: x, weight: wt, bias: b, shape: s, tile: tile)
                im2colConv2dForward(output: &ref, input: x, weight: wt, bias: b, shape: s)
                let exact = directConv2d(input: x, weight: wt, bias: b, shape: s)
                let e = relativeError(y, exact)
                print("forward \(tile) \(name): \(e)")
                XCTAssertLessThan(e, tolerance(tile), "\(tile) \(name)")
                XCTAssertLessThan(relativeError(y, ref.map(Double.init)), tolerance(tile), "vs im2col \(tile) \(name)")
            }
        }
    }

    func testBackwardMatchesDirectConvolutionAndIm2col() {
        for tile in WinogradTile.allCases {
            for (i, (s, name)) in layers.enumerated() {
                let x = randomArray(s.inputCount, seed: UInt64(i)), wt = randomArray(s.weightCount, seed: UInt64(i + 100))
                let dy = randomArray(s.outputCount, seed: UInt64(i + 300))
                var dx = [Float](repeating: .nan, count: s.inputCount), refDx = dx
                var dw = [Float](repeating: 0, count: s.weightCount), refDw = dw
                var db = [Float](repeating: 0, count: s.cout), refDb = db
                winogradConv2dBackward(dInput: &dx, dWeight: &dw, dBias: &db, dOutput: dy, input: x, weight: wt,
                                       shape: s, tile: tile)
                im2colConv2dBackward(dInput: &refDx, dWeight: &refDw, dBias: &refDb, dOutput: dy, input: x, weight: wt, shape: s)
                let exact = directConv2dBackward(dOutput: dy, input: x, weight: wt, shape: s)
                let (ex, ew, eb) = (relativeError(dx, exact.dInput), relativeError(dw, exact.dWeight), relativeError(db, exact.dBias))
                print("backward \(tile) \(name): dx \(ex) dw \(ew) db \(eb)")
                XCTAssertLessThan(ex, tolerance(tile), "dInput \(tile) \(name)")
                XCTAssertLessThan(ew, tolerance(tile), "dWeight \(tile) \(name)")
                XCTAssertLessThan(eb, 1e-6, "dBias \(tile) \(name)")
                XCTAssertLessThan(relativeError(dx, refDx.map(Double.init)), tolerance(tile), "dInput vs im2col \(tile) \(name)")
                XCTAssertLessThan(relativeError(dw, refDw.map(Double.init)), tolerance(tile), "dWeight vs im2col \(tile) \(name)")
            }
        }
    }
}
