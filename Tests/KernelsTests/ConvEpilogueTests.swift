import Convolution
import Kernels
import TestSupport
import XCTest

/// Each epilogue, fused into the Winograd output pass or run after im2col, stores
/// exactly what applying the element-wise op to the plain result gives: the same
/// float operations on the same values, so the bits must match.
final class ConvEpilogueTests: XCTestCase {
    /// Two workers, routed by `algorithm`.
    func kernels(_ algorithm: ConvAlgorithm) -> KernelContext { KernelContext(KernelSettings(threads: 2, algorithm: algorithm)) }

    // Several images (unit offsets), rows of 8 whole tiles (the vector merge) and a
    // partial tile (the scalar rest).
    let s = Conv2dShape(n: 3, cin: 16, cout: 16, h: 13, w: 53, k: 3)
    lazy var x = randomArray(s.inputCount, seed: 1)
    lazy var wt = randomArray(s.weightCount, seed: 2, in: -0.1...0.1)
    lazy var b = randomArray(s.cout, seed: 3)
    lazy var aux = randomArray(s.outputCount, seed: 4)
    lazy var old = randomArray(s.outputCount, seed: 5)

    /// The epilogues under test with the op each should apply to (result, aux, old).
    func cases(_ aux: UnsafePointer<Float>) -> [(ConvEpilogue, String, (Float, Float, Float) -> Float)] {
        [(.none, "none", { v, _, _ in v }),
         (.relu, "relu", { v, _, _ in max(v, 0) }),
         (.residual(skip: aux, scale: 0.1), "residual", { v, a, _ in a + 0.1 * v }),
         (.reluGate(output: aux), "reluGate", { v, a, _ in a > 0 ? v : 0 }),
         (.accumulate, "accumulate", { v, _, o in o + v })]
    }

    func testForwardEpilogues() {
        for algorithm in ConvAlgorithm.allCases {
            var plain = [Float](repeating: 0, count: s.outputCount)
            conv2dForward(output: &plain, input: x, weight: wt, bias: b, shape: s, context: kernels(algorithm))
            aux.withUnsafeBufferPointer { a in
                for (epilogue, name, op) in cases(a.baseAddress!) {
                    var y = old
                    conv2dForward(output: &y, input: x, weight: wt, bias: b, shape: s, context: kernels(algorithm), epilogue: epilogue)
                    let expected = (0..<s.outputCount).map { op(plain[$0], aux[$0], old[$0]) }
                    XCTAssertEqual(y, expected, "\(algorithm) \(name)")
                }
            }
        }
    }

    func testBackwardDataEpilogues() {
        // dInput has the input's shape: swap roles so the aux tensors fit (cin == cout).
        let dy = randomArray(s.outputCount, seed: 6)
        for algorithm in ConvAlgorithm.allCases {
            var dw = [Float](repeating: 0, count: s.weightCount), db = [Float](repeating: 0, count: s.cout)
            var plain = [Float](repeating: 0, count: s.inputCount)
            conv2dBackward(dInput: &plain, dWeight: &dw, dBias: &db, dOutput: dy, input: x, weight: wt, shape: s,
                           context: kernels(algorithm))
            aux.withUnsafeBufferPointer { a in
                for (epilogue, name, op) in cases(a.baseAddress!) {
                    var dx = old
                    conv2dBackward(dInput: &dx, dWeight: &dw, dBias: &db, dOutput: dy, input: x, weight: wt, shape: s,
                                   context: kernels(algorithm), dInputEpilogue: epilogue)
                    let expected = (0..<s.inputCount).map { op(plain[$0], aux[$0], old[$0]) }
                    XCTAssertEqual(dx, expected, "\(algorithm) \(name)")
                }
            }
        }
    }
}
