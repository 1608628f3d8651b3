import Convolution
import Kernels
import TestSupport
import XCTest

/// The bf16 reference engine against a Double oracle fed the same bf16-rounded inputs.
final class BF16ConvTests: XCTestCase {
    /// Two workers (partial weight gradients are summed per worker), bf16 convolutions.
    let kernels = KernelContext(KernelSettings(threads: 2, bf16: .reference))

    /// Every kernel size, odd planes, uneven batches, and 16 input channels at 3×3 and
    /// 5×5: shapes fp32 routes to Winograd, which bf16 must not take.
    let shapes = [
        Conv2dShape(n: 3, cin: 5, cout: 4, h: 7, w: 6, k: 3),
        Conv2dShape(n: 2, cin: 3, cout: 6, h: 5, w: 9, k: 1),
        Conv2dShape(n: 2, cin: 16, cout: 8, h: 9, w: 7, k: 3),
        Conv2dShape(n: 1, cin: 16, cout: 4, h: 6, w: 5, k: 5),
    ]

    func testRoundingIsToNearestEven() {
        let one = Float(bitPattern: 0x3F80_0000)
        XCTAssertEqual(bf16Rounded(one), 1)
        // Exactly halfway between 1 and the next bf16 (1 + 2⁻⁷): to even, i.e. 1.
        XCTAssertEqual(bf16Rounded(Float(bitPattern: 0x3F80_8000)), 1)
        // Halfway above an odd bf16: up to the even one.
        XCTAssertEqual(bf16Rounded(Float(bitPattern: 0x3F81_8000)).bitPattern, 0x3F82_0000)
        XCTAssertEqual(bf16Rounded(Float(bitPattern: 0x3F80_8001)).bitPattern, 0x3F81_0000)
        XCTAssertEqual(bf16Rounded(Float(bitPattern: 0x3F80_7FFF)), 1)
        XCTAssertEqual(bf16Rounded(-Float(bitPattern: 0x3F81_8000)).bitPattern, 0xBF82_0000)
        XCTAssertEqual(bf16Rounded(.infinity), .infinity)
        XCTAssertEqual(bf16Rounded(.greatestFiniteMagnitude), .infinity)
        // A NaN whose payload lies only in the dropped half stays NaN.
        XCTAssertTrue(bf16Rounded(Float(bitPattern: 0x7F80_0001)).isNaN)
        for x in randomArray(1000, seed: 9, in: -300...300) {
            let r = bf16Rounded(x)
            XCTAssertEqual(r.bitPattern & 0xFFFF, 0)
            XCTAssertLessThanOrEqual(abs(r - x), abs(x) * 0x1p-8, "\(x)")
        }
    }

    /// Forward through `conv2dForward`: within the fp32 accumulation bound of the oracle
    /// on rounded inputs, and visibly off the oracle on the unrounded ones.
    func testForwardMatchesOracleOnRoundedInputs() {
        for (i, s) in shapes.enumerated() {
            let (x, wt, b) = (randomArray(s.inputCount, seed: UInt64(i)), randomArray(s.weightCount, seed: UInt64(i + 10)),
                              randomArray(s.cout, seed: UInt64(i + 20)))
            var y = [Float](repeating: .nan, count: s.outputCount)
            conv2dForward(output: &y, input: x, weight: wt, bias: b, shape: s, context: kernels)
            let (xr, wr) = (x.map(bf16Rounded), wt.map(bf16Rounded))
            let oracle = directConv2d(input: xr, weight: wr, bias: b, shape: s)
            let magnitude = directConv2d(input: xr.map(abs), weight: wr.map(abs), bias: b.map(abs), shape: s)
            assertWithinAccumulationBound(y, oracle, magnitude, terms: s.patch + 1, "forward \(s)")
            XCTAssertGreaterThan(worstExcess(y, directConv2d(input: x, weight: wt, bias: b, shape: s), magnitude,
                                             terms: s.patch + 1), 10, "forward \(s) did not round its inputs")
        }
    }

    /// Backward-data, backward-weights and the bias gradient through `conv2dBackward`,
    /// each against the oracle's gradient of the rounded inputs and output gradient.
    func testBackwardMatchesOracleOnRoundedInputs() {
        for (i, s) in shapes.enumerated() {
            let (x, wt) = (randomArray(s.inputCount, seed: UInt64(i)), randomArray(s.weightCount, seed: UInt64(i + 10)))
            let dy = randomArray(s.outputCount, seed: UInt64(i + 30))
            var dx = [Float](repeating: .nan, count: s.inputCount)
            var dw = [Float](repeating: 0, count: s.weightCount), db = [Float](repeating: 0, count: s.cout)
            conv2dBackward(dInput: &dx, dWeight: &dw, dBias: &db, dOutput: dy, input: x, weight: wt, shape: s, context: kernels)
            let (xr, wr, dyr) = (x.map(bf16Rounded), wt.map(bf16Rounded), dy.map(bf16Rounded))
            let oracle = directConv2dBackward(dOutput: dyr, input: xr, weight: wr, shape: s)
            let magnitude = directConv2dBackward(dOutput: dyr.map(abs), input: xr.map(abs), weight: wr.map(abs), shape: s)
            // dInput sums cout·k·k products; dWeight and dBias n·h·w per image, plus the
            // per-worker partial sums added at the end (at most n more additions).
            let imageTerms = s.n * s.plane + s.n
            assertWithinAccumulationBound(dx, oracle.dInput, magnitude.dInput, terms: s.cout * s.k * s.k, "dInput \(s)")
            assertWithinAccumulationBound(dw, oracle.dWeight, magnitude.dWeight, terms: imageTerms, "dWeight \(s)")
            assertWithinAccumulationBound(db, oracle.dBias, magnitude.dBias, terms: imageTerms, "dBias \(s)")
            let unrounded = directConv2dBackward(dOutput: dy, input: x, weight: wt, shape: s)
            XCTAssertGreaterThan(worstExcess(dx, unrounded.dInput, magnitude.dInput, terms: s.cout * s.k * s.k), 10, "dInput \(s)")
            XCTAssertGreaterThan(worstExcess(dw, unrounded.dWeight, magnitude.dWeight, terms: imageTerms), 10, "dWeight \(s)")
        }
    }

    /// Parameter gradients accumulate, input gradients are overwritten, as in fp32.
    func testAccumulationRule() {
        let err = accumulationRuleError(shapes[2]) {
            conv2dBackward(dInput: $0, dWeight: $1, dBias: $2, dOutput: $3, input: $4, weight: $5, shape: $6, context: self.kernels)
        }
        XCTAssertLessThan(err, 1e-5)
    }

    /// The products of two bf16 values are exact in fp32 (8 + 8 significant bits ≤ 24),
    /// so the only error left is fp32 accumulation: summing `terms` values in any order
    /// (sgemm blocks and reorders freely) errs by at most (terms − 1)·u·Σ|term|, u = 2⁻²⁴
    /// (Higham, Accuracy and Stability, §4.2). Each element must stay within that bound.
    func assertWithinAccumulationBound(_ got: [Float], _ oracle: [Double], _ magnitude: [Double], terms: Int, _ what: String,
                                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, oracle.count, what, file: file, line: line)
        XCTAssertLessThanOrEqual(worstExcess(got, oracle, magnitude, terms: terms), 1, what, file: file, line: line)
    }

    /// The largest error over the bound of `assertWithinAccumulationBound` (≤ 1: within
    /// it); the final rounding of the result to fp32 adds one more u·|value|.
    func worstExcess(_ got: [Float], _ oracle: [Double], _ magnitude: [Double], terms: Int) -> Double {
        let u = 0x1p-24
        return zip(zip(got, oracle), magnitude).map { pair, m in
            abs(Double(pair.0) - pair.1) / (Double(terms) * u * m + u * abs(pair.1) + .leastNonzeroMagnitude)
        }.max()!
    }
}
