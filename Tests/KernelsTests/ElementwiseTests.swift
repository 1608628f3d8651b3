@testable import Kernels
import TestSupport
import XCTest

/// Forward semantics and finite-difference backward checks of the non-conv kernels. ReLU
/// and the residual scale-add run as convolution epilogues (`ConvEpilogue`); here they
/// are applied on their own, as the im2col path does.
final class ElementwiseTests: XCTestCase {
    /// Two workers, so the chunked loops split.
    let threads = 2

    func testReLU() {
        // Keep values away from the kink so ±eps does not cross zero.
        var x = randomArray(1000, seed: 1).map { $0 + ($0 >= 0 ? 0.05 : -0.05) }
        var y = [Float](repeating: 0, count: x.count)
        ConvEpilogue.relu.apply(x, into: &y, count: x.count, threads: threads)
        XCTAssertEqual(y, x.map { max($0, 0) })
        let probe = randomArray(x.count, seed: 2)
        var dx = [Float](repeating: .nan, count: x.count)
        y.withUnsafeBufferPointer { ConvEpilogue.reluGate(output: $0.baseAddress!).apply(probe, into: &dx, count: x.count, threads: threads) }
        let err = finiteDifferenceError(x: &x, analytic: dx, samples: 200, eps: 1e-2) { v in
            var out = [Float](repeating: 0, count: v.count)
            ConvEpilogue.relu.apply(v, into: &out, count: v.count, threads: threads)
            return weightedSum(out, probe)
        }
        XCTAssertLessThan(err, 1e-3)
    }

    func testPixelShuffleMatchesTorchIndexing() {
        for r in [2, 3] {
            let (n, c, h, w) = (2, 2, 3, 4)
            let x = (0..<(n * c * r * r * h * w)).map(Float.init)
            var y = [Float](repeating: -1, count: x.count)
            pixelShuffleForward(output: &y, input: x, n: n, c: c, h: h, w: w, r: r, threads: threads)
            // torch: out[b, ch, y·r+i, x·r+j] = in[b, ch·r²+i·r+j, y, x]
            for b in 0..<n { for ch in 0..<c { for yy in 0..<h { for xx in 0..<w { for i in 0..<r { for j in 0..<r {
                let o = ((b * c + ch) * h * r + yy * r + i) * w * r + xx * r + j
                let src = ((b * c * r * r + ch * r * r + i * r + j) * h + yy) * w + xx
                XCTAssertEqual(y[o], x[src])
            } } } } } }
            // Backward is the inverse permutation: shuffling back recovers the input.
            var back = [Float](repeating: -1, count: x.count)
            pixelShuffleBackward(dInput: &back, dOutput: y, n: n, c: c, h: h, w: w, r: r, threads: threads)
            XCTAssertEqual(back, x)
        }
    }

    /// Inference's in-place shuffle moves the same values as the out-of-place one, with
    /// one worker and with several (each with its own scratch).
    func testPixelShuffleInPlaceEqualsOutOfPlace() {
        for (r, workers) in [(2, 1), (3, 2), (2, 3)] {
            let (n, c, h, w) = (2, 3, 5, 4)
            let x = randomArray(n * c * r * r * h * w, seed: 9)
            var y = [Float](repeating: -1, count: x.count)
            pixelShuffleForward(output: &y, input: x, n: n, c: c, h: h, w: w, r: r, threads: 1)
            var z = x
            z.withUnsafeMutableBufferPointer {
                pixelShuffleInPlace($0.baseAddress!, n: n, c: c, h: h, w: w, r: r,
                                    kernels: KernelContext(KernelSettings(threads: workers)))
            }
            XCTAssertEqual(z, y, "r \(r), \(workers) workers")
        }
    }

    func testPixelShuffleBackwardMatchesFiniteDifferences() {
        let (n, c, h, w, r) = (1, 2, 3, 2, 3)
        var x = randomArray(n * c * r * r * h * w, seed: 3)
        let probe = randomArray(x.count, seed: 4)
        var dx = [Float](repeating: 0, count: x.count)
        pixelShuffleBackward(dInput: &dx, dOutput: probe, n: n, c: c, h: h, w: w, r: r, threads: threads)
        let err = finiteDifferenceError(x: &x, analytic: dx, samples: 200) { v in
            var y = [Float](repeating: 0, count: v.count)
            pixelShuffleForward(output: &y, input: v, n: n, c: c, h: h, w: w, r: r, threads: threads)
            return weightedSum(y, probe)
        }
        XCTAssertLessThan(err, 1e-3)
    }

    func testMeanShiftSubtractsAndAddsDIV2KMean() {
        let (n, h, w) = (2, 2, 3)
        let x = randomArray(n * 3 * h * w, seed: 5, in: 0...255)
        var y = [Float](repeating: 0, count: x.count)
        meanShiftForward(output: &y, input: x, n: n, h: h, w: w, sign: -1)
        for i in x.indices {
            let c = (i / (h * w)) % 3
            XCTAssertEqual(y[i], x[i] - [0.4488, 0.4371, 0.4040][c] * 255, accuracy: 1e-4)
        }
        meanShiftForward(output: &y, input: y, n: n, h: h, w: w, sign: 1)
        for i in x.indices { XCTAssertEqual(y[i], x[i], accuracy: 1e-4) }
    }

    func testResidualScaleAndAdd() {
        let count = 300, scale: Float = 0.1
        var skip = randomArray(count, seed: 6), res = randomArray(count, seed: 7)
        let probe = randomArray(count, seed: 8)
        var y = [Float](repeating: 0, count: count)
        skip.withUnsafeBufferPointer {
            ConvEpilogue.residual(skip: $0.baseAddress!, scale: scale).apply(res, into: &y, count: count, threads: threads)
        }
        for i in 0..<count { XCTAssertEqual(y[i], skip[i] + scale * res[i]) }
        var dRes = [Float](repeating: 0, count: count)
        residualBackward(dResidual: &dRes, dOutput: probe, scale: scale, count: count, threads: threads)
        let (s0, r0) = (skip, res)
        func f(_ s: [Float], _ r: [Float]) -> Double {
            var out = [Float](repeating: 0, count: count)
            s.withUnsafeBufferPointer {
                ConvEpilogue.residual(skip: $0.baseAddress!, scale: scale).apply(r, into: &out, count: count, threads: threads)
            }
            return weightedSum(out, probe)
        }
        XCTAssertLessThan(finiteDifferenceError(x: &res, analytic: dRes) { f(s0, $0) }, 1e-3)
        // The skip's gradient is dOutput itself (identity), which callers reuse in place.
        XCTAssertLessThan(finiteDifferenceError(x: &skip, analytic: probe) { f($0, r0) }, 1e-3)
    }

    /// The parallel join adds every element once, across worker chunk boundaries
    /// (odd count: the chunks differ in length).
    func testResidualAddCoversEveryElement() {
        let count = 1001
        let x = randomArray(count, seed: 9), y0 = randomArray(count, seed: 10)
        var y = y0
        residualAdd(&y, x, count: count, threads: threads)
        for i in 0..<count { XCTAssertEqual(y[i], y0[i] + x[i]) }
    }

    func testL1LossAndGradient() {
        var pred = randomArray(500, seed: 9, in: 0...255)
        let target = randomArray(500, seed: 10, in: 0...255)
        let loss = l1LossForward(prediction: pred, target: target, count: pred.count)
        let expected = zip(pred, target).map { Double(abs($0 - $1)) }.reduce(0, +) / 500
        XCTAssertEqual(loss, expected, accuracy: 1e-12 * expected)
        var grad = [Float](repeating: 0, count: pred.count)
        l1LossBackward(dPrediction: &grad, prediction: pred, target: target, count: pred.count, weight: 1 / 500)
        XCTAssertLessThan(finiteDifferenceError(x: &pred, analytic: grad, samples: 100, eps: 1e-2) {
            l1LossForward(prediction: $0, target: target, count: $0.count)
        }, 1e-3)
        // sign(0) = 0, as PyTorch.
        l1LossBackward(dPrediction: &grad, prediction: [1, 2], target: [1, 3], count: 2, weight: 1)
        XCTAssertEqual(Array(grad.prefix(2)), [0, -1])
    }
}
