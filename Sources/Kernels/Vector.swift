/// Small contiguous-buffer helpers shared by the kernels; plain loops the compiler
/// vectorises under -Ounchecked.

/// Σ x[0..<n], accumulated in Double so long planes do not lose low bits.
@inlinable @inline(__always)
public func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc: Double = 0
    // Float partial sums over 256 elements in 16 SIMD lanes: the compiler may not
    // reorder a scalar Float sum, which would leave one add in flight at a time; the
    // Double total keeps precision.
    var i = 0
    while i &+ 256 <= n {
        var part = SIMD16<Float>()
        for j in stride(from: i, to: i &+ 256, by: 16) { part += UnsafeRawPointer(x + j).loadUnaligned(as: SIMD16<Float>.self) }
        acc += Double(part.sum())
        i &+= 256
    }
    var tail: Float = 0
    while i < n {
        tail += x[i]
        i &+= 1
    }
    return Float(acc + Double(tail))
}

/// y[i] += x[i]
@inlinable @inline(__always)
public func add(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
    for i in 0..<n { y[i] += x[i] }
}
