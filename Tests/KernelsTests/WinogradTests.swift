import Convolution
@testable import Kernels
import Machine
import TestSupport
import XCTest

/// Winograd against the Double direct-convolution oracle and against the im2col
/// reference, forward and both backward passes, for every 3×3 layer shape EDSR and MDSR
/// use (channel counts as in the models; planes small enough for the O(n⁶) oracle,
/// including sizes that are not multiples of the tile and smaller than one tile).
///
/// Tolerance: the largest error divided by the largest oracle magnitude of that tensor.
/// F(2×2)'s transforms only add, halve and subtract, so it rounds like im2col: 2e-6
/// (measured ≤ 7.6e-7 on these shapes). F(4×4)'s transforms scale by up to 8 and 1/24
/// and cancel large terms, ~10× more rounding (measured ≤ 9.2e-6 here, up to 1.6e-5 on
/// wider layers): 3e-5. F(6×6) and F(4×4, 5×5) (points 0, ±1, ±2, ±½)
/// round like F(4×4) (≤ 1.3e-5 per tile, tools/winograd_matrices.py): the same 3e-5.
/// A wrong tap, tile or edge gives O(1e-1).
/// The bias gradient is a plain sum either way: 1e-6.
final class WinogradTests: XCTestCase {
    /// Two workers, so chunked loops and per-worker partial sums are exercised.
    let kernels = KernelContext(KernelSettings(threads: 2))
    /// The same at every SIMD level this CPU runs: each is its own compilation of the
    /// Winograd loops (`WinogradPasses`), and each must meet the oracle.
    let levelContexts = SIMDLevel.supported(on: .current).map { KernelContext(KernelSettings(threads: 2, simd: $0)) }

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
        (Conv2dShape(n: 1, cin: 16, cout: 8, h: 9, w: 100, k: 3), "wide plane: several SIMD groups of tiles"),
    ]

    /// MDSR's 5×5 pre-processing layers, for F(4×4, 5×5).
    let layers5: [(Conv2dShape, String)] = [
        (Conv2dShape(n: 1, cin: 64, cout: 64, h: 24, w: 20, k: 5), "MDSR pre-process F→F 5×5"),
        (Conv2dShape(n: 2, cin: 64, cout: 64, h: 13, w: 11, k: 5), "5×5 F→F, odd plane, partial tiles"),
        (Conv2dShape(n: 2, cin: 5, cout: 4, h: 2, w: 3, k: 5), "5×5, plane smaller than one tile"),
        (Conv2dShape(n: 1, cin: 16, cout: 8, h: 9, w: 70, k: 5), "5×5, wide plane: several SIMD groups of tiles"),
    ]

    /// The layers a tile is tested on: its kernel size.
    func layers(_ tile: WinogradTile) -> [(Conv2dShape, String)] { tile.r == 5 ? layers5 : layers }

    func tolerance(_ tile: WinogradTile) -> Double { tile == .f2x2 ? 2e-6 : 3e-5 }

    /// max |a − ref| / max |ref|
    func relativeError<A: Collection>(_ a: A, _ ref: [Double]) -> Double where A.Element == Float {
        let scale = max(ref.map(abs).max()!, 1e-30)
        return zip(a, ref).map { abs(Double($0) - $1) }.max()! / scale
    }

    func testForwardMatchesDirectConvolutionAndIm2col() {
        for tile in WinogradTile.allCases {
            for (i, (s, name)) in layers(tile).enumerated() {
                let x = randomArray(s.inputCount, seed: UInt64(i)), wt = randomArray(s.weightCount, seed: UInt64(i + 100))
                let b = randomArray(s.cout, seed: UInt64(i + 200))
                var ref = [Float](repeating: .nan, count: s.outputCount)
                im2colConv2dForward(output: &ref, input: x, weight: wt, bias: b, shape: s, context: kernels)
                let exact = directConv2d(input: x, weight: wt, bias: b, shape: s)
                for context in levelContexts {
                    var y = [Float](repeating: .nan, count: s.outputCount)
                    winogradConv2dForward(output: &y, input: x, weight: wt, bias: b, shape: s, tile: tile, context: context)
                    let at = "\(tile) \(name), SIMD \(context.settings.simd)"
                    XCTAssertLessThan(relativeError(y, exact), tolerance(tile), at)
                    XCTAssertLessThan(relativeError(y, ref.map(Double.init)), tolerance(tile), "vs im2col \(at)")
                }
            }
        }
    }

    func testBackwardMatchesDirectConvolutionAndIm2col() {
        for tile in WinogradTile.allCases {
            for (i, (s, name)) in layers(tile).enumerated() {
                let x = randomArray(s.inputCount, seed: UInt64(i)), wt = randomArray(s.weightCount, seed: UInt64(i + 100))
                let dy = randomArray(s.outputCount, seed: UInt64(i + 300))
                var refDx = [Float](repeating: .nan, count: s.inputCount), refDw = [Float](repeating: 0, count: s.weightCount)
                var refDb = [Float](repeating: 0, count: s.cout)
                im2colConv2dBackward(dInput: &refDx, dWeight: &refDw, dBias: &refDb, dOutput: dy, input: x, weight: wt, shape: s,
                                     context: kernels)
                let exact = directConv2dBackward(dOutput: dy, input: x, weight: wt, shape: s)
                for context in levelContexts {
                    var dx = [Float](repeating: .nan, count: s.inputCount), dw = [Float](repeating: 0, count: s.weightCount)
                    var db = [Float](repeating: 0, count: s.cout)
                    winogradConv2dBackward(dInput: &dx, dWeight: &dw, dBias: &db, dOutput: dy, input: x, weight: wt,
                                           shape: s, tile: tile, context: context)
                    let at = "\(tile) \(name), SIMD \(context.settings.simd)"
                    XCTAssertLessThan(relativeError(dx, exact.dInput), tolerance(tile), "dInput \(at)")
                    XCTAssertLessThan(relativeError(dw, exact.dWeight), tolerance(tile), "dWeight \(at)")
                    XCTAssertLessThan(relativeError(db, exact.dBias), 1e-6, "dBias \(at)")
                    XCTAssertLessThan(relativeError(dx, refDx.map(Double.init)), tolerance(tile), "dInput vs im2col \(at)")
                    XCTAssertLessThan(relativeError(dw, refDw.map(Double.init)), tolerance(tile), "dWeight vs im2col \(at)")
                }
            }
        }
    }

    func forward(_ x: [Float], _ wt: [Float], _ b: [Float], _ s: Conv2dShape, _ tile: WinogradTile,
                 context: KernelContext? = nil) -> [Float] {
        var y = [Float](repeating: .nan, count: s.outputCount)
        winogradConv2dForward(output: &y, input: x, weight: wt, bias: b, shape: s, tile: tile, context: context ?? kernels)
        return y
    }

    /// The backward pass is the gradient of the forward pass actually computed.
    func testBackwardMatchesFiniteDifferences() {
        for tile in WinogradTile.allCases {
            let shapes = [Conv2dShape(n: 2, cin: 5, cout: 4, h: 7, w: 6, k: tile.r),
                          Conv2dShape(n: 1, cin: 3, cout: 2, h: 9, w: 10, k: tile.r)]
            for (i, s) in shapes.enumerated() {
                var x = randomArray(s.inputCount, seed: UInt64(i)), wt = randomArray(s.weightCount, seed: UInt64(i + 10))
                var b = randomArray(s.cout, seed: UInt64(i + 20))
                let probe = randomArray(s.outputCount, seed: UInt64(i + 30))
                var dx = [Float](repeating: .nan, count: s.inputCount)
                var dw = [Float](repeating: 0, count: s.weightCount), db = [Float](repeating: 0, count: s.cout)
                winogradConv2dBackward(dInput: &dx, dWeight: &dw, dBias: &db, dOutput: probe, input: x, weight: wt,
                                       shape: s, tile: tile, context: kernels)
                let (x0, w0, b0) = (x, wt, b)
                let ex = finiteDifferenceError(x: &x, analytic: dx) { weightedSum(self.forward($0, w0, b0, s, tile), probe) }
                let ew = finiteDifferenceError(x: &wt, analytic: dw) { weightedSum(self.forward(x0, $0, b0, s, tile), probe) }
                let eb = finiteDifferenceError(x: &b, analytic: db) { weightedSum(self.forward(x0, w0, $0, s, tile), probe) }
                // Float32 central differences at eps 1e-2 (see GradientCheck).
                XCTAssertLessThan(ex, 1e-3, "dInput \(tile) \(s)")
                XCTAssertLessThan(ew, 1e-3, "dWeight \(tile) \(s)")
                XCTAssertLessThan(eb, 1e-3, "dBias \(tile) \(s)")
            }
        }
    }

    /// Parameter gradients accumulate, the input gradient is overwritten; without
    /// dInput the parameter gradients are the same.
    func testAccumulationRule() {
        let s = Conv2dShape(n: 3, cin: 16, cout: 8, h: 9, w: 7, k: 3)
        let err = accumulationRuleError(s) {
            winogradConv2dBackward(dInput: $0, dWeight: $1, dBias: $2, dOutput: $3, input: $4, weight: $5, shape: $6,
                                   tile: .f6x6, context: self.kernels)
        }
        XCTAssertLessThan(err, 1e-5)
        let x = randomArray(s.inputCount, seed: 1), wt = randomArray(s.weightCount, seed: 2)
        let probe = randomArray(s.outputCount, seed: 3)
        var dw1 = [Float](repeating: 0, count: s.weightCount), db1 = [Float](repeating: 0, count: s.cout)
        var dx = [Float](repeating: 0, count: s.inputCount)
        winogradConv2dBackward(dInput: &dx, dWeight: &dw1, dBias: &db1, dOutput: probe, input: x, weight: wt, shape: s, tile: .f6x6, context: kernels)
        var dwOnly = [Float](repeating: 0, count: s.weightCount), dbOnly = [Float](repeating: 0, count: s.cout)
        winogradConv2dBackward(dInput: nil, dWeight: &dwOnly, dBias: &dbOnly, dOutput: probe, input: x, weight: wt, shape: s, tile: .f6x6, context: kernels)
        XCTAssertEqual(dwOnly, dw1)
        XCTAssertEqual(dbOnly, db1)
    }

    /// Same thread count, same bits, for the weight gradient too (worker partials are
    /// summed in order). The forward pass and the input gradient, whose units go to
    /// whichever worker is free (`WorkQueue`), give the same bits on 1, 2 or 3 threads:
    /// each tile's arithmetic does not depend on the worker.
    func testDeterministic() {
        let s = Conv2dShape(n: 5, cin: 16, cout: 16, h: 11, w: 9, k: 3)
        let x = randomArray(s.inputCount, seed: 4), wt = randomArray(s.weightCount, seed: 5)
        let b = randomArray(s.cout, seed: 7), probe = randomArray(s.outputCount, seed: 6)
        func grads(_ context: KernelContext) -> (dw: [Float], dx: [Float]) {
            var dw = [Float](repeating: 0, count: s.weightCount), dx = [Float](repeating: 0, count: s.inputCount)
            winogradConv2dBackward(dInput: &dx, dWeight: &dw, dBias: nil, dOutput: probe, input: x, weight: wt, shape: s, tile: .f6x6, context: context)
            return (dw, dx)
        }
        let two = grads(kernels), again = grads(kernels)
        XCTAssertEqual(two.dw, again.dw)
        XCTAssertEqual(two.dx, again.dx)
        let (one, three) = (KernelContext(KernelSettings(threads: 1)), KernelContext(KernelSettings(threads: 3)))
        XCTAssertEqual(grads(one).dx, two.dx)
        XCTAssertEqual(grads(three).dx, two.dx)
        let forwardTwo = forward(x, wt, b, s, .f4x4)
        XCTAssertEqual(forward(x, wt, b, s, .f4x4, context: one), forwardTwo)
        XCTAssertEqual(forward(x, wt, b, s, .f4x4, context: three), forwardTwo)
    }

    /// Bands of tile rows (capped unit size, or fewer images than workers) give the same
    /// result as whole images, including the last band's partial tiles.
    func testUnitBandsMatchWholeImages() {
        let s = Conv2dShape(n: 1, cin: 16, cout: 24, h: 30, w: 13, k: 3)
        let x = randomArray(s.inputCount, seed: 8), wt = randomArray(s.weightCount, seed: 9)
        let b = randomArray(s.cout, seed: 10), probe = randomArray(s.outputCount, seed: 11)
        func run(unitTiles: Int) -> (y: [Float], dx: [Float], dw: [Float]) {
            let context = KernelContext(KernelSettings(threads: 2, unitTiles: unitTiles))
            var dx = [Float](repeating: 0, count: s.inputCount), dw = [Float](repeating: 0, count: s.weightCount)
            winogradConv2dBackward(dInput: &dx, dWeight: &dw, dBias: nil, dOutput: probe, input: x, weight: wt, shape: s,
                                   tile: .f6x6, context: context)
            return (forward(x, wt, b, s, .f4x4, context: context), dx, dw)
        }
        let whole = run(unitTiles: 0), bands = run(unitTiles: 4)  // 4 tiles per row: one tile row per unit
        let exact = directConv2d(input: x, weight: wt, bias: b, shape: s)
        XCTAssertLessThan(relativeError(bands.y, exact), tolerance(.f4x4))
        XCTAssertLessThan(relativeError(bands.y, whole.y.map(Double.init)), tolerance(.f4x4))
        XCTAssertLessThan(relativeError(bands.dx, whole.dx.map(Double.init)), tolerance(.f4x4))
        XCTAssertLessThan(relativeError(bands.dw, whole.dw.map(Double.init)), tolerance(.f4x4))
    }

    /// A layer run in blocks of output channels (`winogradFilterFloats` below its filters:
    /// 24 channels in 3 blocks of 8) gives whole-layer results:
    /// the forward through a residual epilogue (its skip indexed per block), the weight
    /// and bias gradients bit for bit (their sums do not cross channels), and the input
    /// gradient, summed over the blocks, through a store, a sum and a ReLU gate.
    func testChannelBlocksMatchWholeLayer() {
        let s = Conv2dShape(n: 2, cin: 16, cout: 24, h: 11, w: 9, k: 3)
        let limit = 10 * 64 * 16
        XCTAssertEqual(KernelSettings(winogradFilterFloats: limit).winogradChannelBlocks(s, tile: .f6x6), [0..<8, 8..<16, 16..<24])
        XCTAssertEqual(KernelSettings().winogradChannelBlocks(s, tile: .f6x6), [0..<24])
        // The paper's EDSR: a body layer in one pass, the ×3 upsampler in 9 of 256 channels.
        let body = Conv2dShape(n: 1, cin: 256, cout: 256, h: 48, w: 48, k: 3)
        let upsampler = Conv2dShape(n: 1, cin: 256, cout: 2304, h: 48, w: 48, k: 3)
        XCTAssertEqual(KernelSettings().winogradChannelBlocks(body, tile: .f6x6).count, 1)
        XCTAssertEqual(KernelSettings().winogradChannelBlocks(upsampler, tile: .f6x6).map(\.count), Array(repeating: 256, count: 9))
        let x = randomArray(s.inputCount, seed: 20), wt = randomArray(s.weightCount, seed: 21)
        let b = randomArray(s.cout, seed: 22), probe = randomArray(s.outputCount, seed: 23)
        let skip = randomArray(s.outputCount, seed: 24), gate = randomArray(s.inputCount, seed: 25)
        let old = randomArray(s.inputCount, seed: 26)
        let gatePointer = UnsafeMutablePointer<Float>.allocate(capacity: gate.count)
        gatePointer.initialize(from: gate, count: gate.count)
        defer { gatePointer.deallocate() }
        let epilogues: [ConvEpilogue] = [.none, .accumulate, .reluGate(output: gatePointer)]
        func run(limit: Int) -> (y: [Float], dx: [[Float]], dw: [Float], db: [Float]) {
            let context = KernelContext(KernelSettings(threads: 2, winogradFilterFloats: limit))
            var y = [Float](repeating: 0, count: s.outputCount)
            winogradConv2dForward(output: &y, input: x, weight: wt, bias: b, shape: s, tile: .f6x6, context: context,
                                  epilogue: .residual(skip: skip, scale: 0.5))
            var dw = [Float](repeating: 0, count: s.weightCount), db = [Float](repeating: 0, count: s.cout)
            let dx = epilogues.map { epilogue in
                var dx = old
                winogradConv2dBackward(dInput: &dx, dWeight: &dw, dBias: &db, dOutput: probe, input: x, weight: wt,
                                       shape: s, tile: .f6x6, context: context, dInputEpilogue: epilogue)
                return dx
            }
            return (y, dx, dw, db)
        }
        let whole = run(limit: KernelSettings.defaultWinogradFilterFloats), blocks = run(limit: limit)
        XCTAssertLessThan(relativeError(blocks.y, whole.y.map(Double.init)), tolerance(.f6x6))
        XCTAssertEqual(blocks.dw, whole.dw)
        XCTAssertEqual(blocks.db, whole.db)
        for (i, epilogue) in epilogues.enumerated() {
            XCTAssertLessThan(relativeError(blocks.dx[i], whole.dx[i].map(Double.init)), tolerance(.f6x6), "\(epilogue)")
        }
        XCTAssertNotEqual(whole.dx[0], whole.dx[1], "the sum epilogue must add to the old gradient")
    }

    /// Position GEMMs too large for OpenBLAS's small-matrix kernel run in blocks of rows
    /// and inner slices (`SmallGemm`): forward and backward data of a 256 → 128 layer at
    /// the training patch (both cut both ways) against im2col.
    func testBlockedGemmsMatchIm2col() {
        let s = Conv2dShape(n: 1, cin: 256, cout: 128, h: 48, w: 48, k: 3)
        XCTAssertGreaterThan(s.cout * 64 * s.cin, 100 * 100 * 100, "the shape must need blocks (`SmallGemm.limit`, 100³)")
        let x = randomArray(s.inputCount, seed: 15), wt = randomArray(s.weightCount, seed: 16, in: -0.05...0.05)
        let b = randomArray(s.cout, seed: 17), probe = randomArray(s.outputCount, seed: 18)
        var y = [Float](repeating: 0, count: s.outputCount), yRef = y
        winogradConv2dForward(output: &y, input: x, weight: wt, bias: b, shape: s, tile: .f6x6, context: kernels)
        im2colConv2dForward(output: &yRef, input: x, weight: wt, bias: b, shape: s, context: kernels)
        XCTAssertLessThan(relativeError(y, yRef.map(Double.init)), tolerance(.f6x6))
        var dx = [Float](repeating: 0, count: s.inputCount), dxRef = dx
        var dw = [Float](repeating: 0, count: s.weightCount), dwRef = dw
        winogradConv2dBackward(dInput: &dx, dWeight: &dw, dBias: nil, dOutput: probe, input: x, weight: wt, shape: s, tile: .f6x6, context: kernels)
        im2colConv2dBackward(dInput: &dxRef, dWeight: &dwRef, dBias: nil, dOutput: probe, input: x, weight: wt, shape: s, context: kernels)
        XCTAssertLessThan(relativeError(dx, dxRef.map(Double.init)), tolerance(.f6x6))
        XCTAssertLessThan(relativeError(dw, dwRef.map(Double.init)), tolerance(.f6x6))
    }

    /// The dispatcher sends 3×3 layers with enough input channels to the 3×3 tile and
    /// MDSR's 5×5 ones to F(4×4, 5×5), the rest (head 3→F, 1×1, everything under
    /// `.im2col`) to im2col, and its results are those of the kernel it picked.
    /// Each level's passes are that level's module, and a context runs its own level's.
    func testEveryLevelHasItsOwnCompilation() {
        for level in SIMDLevel.allCases { XCTAssertEqual(level.winogradPasses.level, level) }
        XCTAssertEqual(KernelSettings().simd, SIMDLevel.process)
        // The oracle tests above run at every level from generic up to this CPU's widest,
        // each context with its own level's passes.
        let widest = SIMDLevel(cpu: .current)
        XCTAssertEqual(levelContexts.map(\.settings.simd), SIMDLevel.allCases.filter { $0 <= widest })
        for context in levelContexts { XCTAssertEqual(context.settings.simd.winogradPasses.level, context.settings.simd) }
    }

    func testRouting() {
        let body = Conv2dShape(n: 1, cin: 64, cout: 64, h: 6, w: 6, k: 3)
        func tile(_ s: Conv2dShape, _ a: ConvAlgorithm = .winograd) -> WinogradTile? { KernelSettings(algorithm: a).winogradTile(for: s) }
        XCTAssertEqual(tile(body), KernelSettings.defaultTile)
        XCTAssertEqual(tile(Conv2dShape(n: 1, cin: 64, cout: 3, h: 6, w: 6, k: 3)), KernelSettings.defaultTile)
        XCTAssertEqual(tile(Conv2dShape(n: 1, cin: 64, cout: 64, h: 6, w: 6, k: 5)), .f4x4k5)
        XCTAssertNil(tile(body, .im2col))
        XCTAssertNil(tile(Conv2dShape(n: 1, cin: 64, cout: 64, h: 6, w: 6, k: 5), .im2col))
        XCTAssertNil(tile(Conv2dShape(n: 1, cin: 3, cout: 64, h: 6, w: 6, k: 3)))
        XCTAssertNil(tile(Conv2dShape(n: 1, cin: 64, cout: 64, h: 6, w: 6, k: 1)))
        XCTAssertEqual(ConvAlgorithm(rawValue: "im2col"), .im2col)
        XCTAssertEqual(ConvAlgorithm(rawValue: "winograd"), .winograd)

        let x = randomArray(body.inputCount, seed: 12), wt = randomArray(body.weightCount, seed: 13)
        let b = randomArray(body.cout, seed: 14)
        var routed = [Float](repeating: 0, count: body.outputCount), reference = routed, winograd = routed
        conv2dForward(output: &routed, input: x, weight: wt, bias: b, shape: body,
                      context: KernelContext(KernelSettings(threads: 2, algorithm: .im2col)))
        im2colConv2dForward(output: &reference, input: x, weight: wt, bias: b, shape: body, context: kernels)
        XCTAssertEqual(routed, reference)
        conv2dForward(output: &routed, input: x, weight: wt, bias: b, shape: body, context: kernels)
        winogradConv2dForward(output: &winograd, input: x, weight: wt, bias: b, shape: body, tile: KernelSettings.defaultTile,
                              context: kernels)
        XCTAssertEqual(routed, winograd)
        XCTAssertNotEqual(routed, reference)
    }
}
