/// Small contiguous-buffer helpers shared by the kernels; plain loops the compiler
/// vectorises under -Ounchecked.

/// Σ x[0..<n], accumulated in Double so long planes do not lose low bits.
@inline(__always)
public func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc: Double = 0
    var part: Float = 0
    // Float partial sums of 256 keep the loop vectorisable; the Double total keeps precision.
    var i = 0
    while i < n {
        let end = min(n, i &+ 256)
        part = 0
        for j in i..<end { part += x[j] }
        acc += Double(part)
        i = end
    }
    return Float(acc)
}

/// y[i] += x[i]
@inline(__always)
public func add(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
    for i in 0..<n { y[i] += x[i] }
}
