import Convolution
@testable import Kernels
import TestSupport
import XCTest

/// The im2col reference path against the direct oracle and finite differences.
final class Conv2dTests: XCTestCase {
    /// Two workers, so chunked loops and per-worker partial sums are exercised.
    let kernels = KernelContext(KernelSettings(threads: 2))

    /// Shapes that exercise every kernel size, odd non-square planes, channel counts
    /// that are not multiples of the SIMD width, and batches that split unevenly.
    let shapes = [
        Conv2dShape(n: 3, cin: 5, cout: 4, h: 7, w: 6, k: 3),
        Conv2dShape(n: 2, cin: 3, cout: 6, h: 5, w: 9, k: 1),
        Conv2dShape(n: 1, cin: 4, cout: 3, h: 6, w: 5, k: 5),
        Conv2dShape(n: 2, cin: 2, cout: 2, h: 2, w: 3, k: 5),  // kernel larger than the image
    ]

    func forward(_ x: [Float], _ wt: [Float], _ b: [Float], _ s: Conv2dShape, context: KernelContext? = nil) -> [Float] {
        var y = [Float](repeating: .nan, count: s.outputCount)
        im2colConv2dForward(output: &y, input: x, weight: wt, bias: b, shape: s, context: context ?? kernels)
        return y
    }

    func testForwardMatchesDirectConvolution() {
        for (i, s) in shapes.enumerated() {
            let x = randomArray(s.inputCount, seed: UInt64(i))
            let wt = randomArray(s.weightCount, seed: UInt64(i + 10))
            let b = randomArray(s.cout, seed: UInt64(i + 20))
            let y = forward(x, wt, b, s)
            let ref = directConv2d(input: x, weight: wt, bias: b, shape: s)
            let scale = ref.map(abs).max()!
            let err = zip(y, ref).map { abs(Double($0) - $1) }.max()!
            // Float32 sums of at most 125 products: ~1e-7 relative per term.
            XCTAssertLessThan(err / scale, 1e-5, "shape \(s)")
        }
    }

    /// A column matrix above `im2colBandFloats` (a sliced tail at inference's HR size)
    /// runs in bands of rows: each band's output lands in its own rows.
    func testForwardInBandsMatchesDirectConvolution() {
        let s = Conv2dShape(n: 1, cin: 8, cout: 3, h: 300, w: 400, k: 3)
        XCTAssertGreaterThan(s.patch * s.plane, im2colBandFloats, "one band would hold the whole image")
        let x = randomArray(s.inputCount, seed: 1), wt = randomArray(s.weightCount, seed: 2), b = randomArray(s.cout, seed: 3)
        let y = forward(x, wt, b, s)
        let ref = directConv2d(input: x, weight: wt, bias: b, shape: s)
        let err = zip(y, ref).map { abs(Double($0) - $1) }.max()!
        XCTAssertLessThan(err / ref.map(abs).max()!, 1e-5)
    }

    func testBackwardMatchesFiniteDifferences() {
        for (i, s) in shapes.enumerated() {
            var x = randomArray(s.inputCount, seed: UInt64(i))
            var wt = randomArray(s.weightCount, seed: UInt64(i + 10))
            var b = randomArray(s.cout, seed: UInt64(i + 20))
            let probe = randomArray(s.outputCount, seed: UInt64(i + 30))
            var dx = [Float](repeating: .nan, count: s.inputCount)
            var dw = [Float](repeating: 0, count: s.weightCount)
            var db = [Float](repeating: 0, count: s.cout)
            im2colConv2dBackward(dInput: &dx, dWeight: &dw, dBias: &db, dOutput: probe, input: x, weight: wt, shape: s, context: kernels)
            let (x0, w0, b0) = (x, wt, b)
            let ex = finiteDifferenceError(x: &x, analytic: dx) { weightedSum(self.forward($0, w0, b0, s), probe) }
            let ew = finiteDifferenceError(x: &wt, analytic: dw) { weightedSum(self.forward(x0, $0, b0, s), probe) }
            let eb = finiteDifferenceError(x: &b, analytic: db) { weightedSum(self.forward(x0, w0, $0, s), probe) }
            XCTAssertLessThan(ex, 1e-3, "dInput \(s)")
            XCTAssertLessThan(ew, 1e-3, "dWeight \(s)")
            XCTAssertLessThan(eb, 1e-3, "dBias \(s)")
        }
    }

    /// Parameter gradients accumulate, input gradients are overwritten (Kernels README).
    func testAccumulationRule() {
        let err = accumulationRuleError(shapes[0]) {
            im2colConv2dBackward(dInput: $0, dWeight: $1, dBias: $2, dOutput: $3, input: $4, weight: $5, shape: $6,
                                 context: self.kernels)
        }
        XCTAssertLessThan(err, 1e-5)
    }

    /// One worker or two must give the same bits per image; weight gradients are summed
    /// in worker order, so the same thread count gives the same bits run after run.
    func testDeterministicAcrossRuns() {
        let s = Conv2dShape(n: 5, cin: 8, cout: 8, h: 9, w: 9, k: 3)
        let x = randomArray(s.inputCount, seed: 4), wt = randomArray(s.weightCount, seed: 5)
        let probe = randomArray(s.outputCount, seed: 6)
        func grads() -> [Float] {
            var dw = [Float](repeating: 0, count: s.weightCount)
            im2colConv2dBackward(dInput: nil, dWeight: &dw, dBias: nil, dOutput: probe, input: x, weight: wt, shape: s, context: kernels)
            return dw
        }
        XCTAssertEqual(grads(), grads())
        let two = forward(x, wt, [Float](repeating: 0, count: 8), s)
        XCTAssertEqual(forward(x, wt, [Float](repeating: 0, count: 8), s, context: KernelContext(KernelSettings(threads: 1))), two)
    }
}
