import Kernels

/// The algorithmic reference: a direct 6-loop convolution in Double with zero "same"
/// padding, the oracle the im2col+sgemm kernel is tested against.
public func directConv2d(input: [Float], weight: [Float], bias: [Float], shape s: Conv2dShape) -> [Double] {
    var out = [Double](repeating: 0, count: s.outputCount)
    let p = s.k / 2
    for b in 0..<s.n {
        for co in 0..<s.cout {
            for y in 0..<s.h {
                for x in 0..<s.w {
                    var acc = Double(bias[co])
                    for ci in 0..<s.cin {
                        for ky in 0..<s.k {
                            let sy = y + ky - p
                            if sy < 0 || sy >= s.h { continue }
                            for kx in 0..<s.k {
                                let sx = x + kx - p
                                if sx < 0 || sx >= s.w { continue }
                                acc += Double(weight[((co * s.cin + ci) * s.k + ky) * s.k + kx])
                                    * Double(input[((b * s.cin + ci) * s.h + sy) * s.w + sx])
                            }
                        }
                    }
                    out[((b * s.cout + co) * s.h + y) * s.w + x] = acc
                }
            }
        }
    }
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
    let p = s.k / 2
    for b in 0..<s.n {
        for co in 0..<s.cout {
            for y in 0..<s.h {
                for x in 0..<s.w {
                    let g = Double(dOutput[((b * s.cout + co) * s.h + y) * s.w + x])
                    db[co] += g
                    for ci in 0..<s.cin {
                        for ky in 0..<s.k {
                            let sy = y + ky - p
                            if sy < 0 || sy >= s.h { continue }
                            for kx in 0..<s.k {
                                let sx = x + kx - p
                                if sx < 0 || sx >= s.w { continue }
                                let wi = ((co * s.cin + ci) * s.k + ky) * s.k + kx
                                let xi = ((b * s.cin + ci) * s.h + sy) * s.w + sx
                                dw[wi] += g * Double(input[xi])
                                dx[xi] += g * Double(weight[wi])
                            }
                        }
                    }
                }
            }
        }
    }
    return (dx, dw, db)
}
