import Kernels

/// Every tap of a direct convolution with zero "same" padding, as (output, weight,
/// input) flat indices, in the oracles' summation order: for each output value, the
/// input channels, then the kernel rows and columns that fall inside the image.
func forEachTap(_ s: Conv2dShape, _ body: (_ output: Int, _ weight: Int, _ input: Int) -> Void) {
    let p = s.k / 2
    for b in 0..<s.n {
        for co in 0..<s.cout {
            for y in 0..<s.h {
                for x in 0..<s.w {
                    let o = ((b * s.cout + co) * s.h + y) * s.w + x
                    for ci in 0..<s.cin {
                        for ky in 0..<s.k where (0..<s.h).contains(y + ky - p) {
                            for kx in 0..<s.k where (0..<s.w).contains(x + kx - p) {
                                body(o, ((co * s.cin + ci) * s.k + ky) * s.k + kx, ((b * s.cin + ci) * s.h + y + ky - p) * s.w + x + kx - p)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The algorithmic reference: a direct 6-loop convolution in Double with zero "same"
/// padding, the oracle the im2col+sgemm kernel is tested against.
public func directConv2d(input: [Float], weight: [Float], bias: [Float], shape s: Conv2dShape) -> [Double] {
    let plane = s.h * s.w
    var out = (0..<s.outputCount).map { Double(bias[($0 / plane) % s.cout]) }
    forEachTap(s) { o, wi, xi in out[o] += Double(weight[wi]) * Double(input[xi]) }
    return out
}

/// The backward oracle: gradients of `Σ dOutput · directConv2d(input, weight, bias)` by
/// the same direct loops, in Double. Returns `dInput` `[n, cin, h, w]`, `dWeight`
/// `[cout, cin, k, k]` and `dBias` `[cout]`.
public func directConv2dBackward(dOutput: [Float], input: [Float], weight: [Float], shape s: Conv2dShape)
    -> (dInput: [Double], dWeight: [Double], dBias: [Double]) {
    var dx = [Double](repeating: 0, count: s.inputCount)
    var dw = [Double](repeating: 0, count: s.weightCount)
    var db = [Double](repeating: 0, count: s.cout)
    let plane = s.h * s.w
    for (o, g) in dOutput.enumerated() { db[(o / plane) % s.cout] += Double(g) }
    forEachTap(s) { o, wi, xi in
        let g = Double(dOutput[o])
        dw[wi] += g * Double(input[xi])
        dx[xi] += g * Double(weight[wi])
    }
    return (dx, dw, db)
}
