/// `x` rounded to the nearest bfloat16 (ties to even), returned as the fp32 with that
/// value (its low 16 bits zero), as `vcvtneps2bf16` rounds. Infinities stay, NaNs stay
/// NaN (made quiet so rounding cannot turn them into infinities), and finite values past
/// bf16's largest round to infinity.
@inline(__always)
public func bf16Rounded(_ x: Float) -> Float {
    let bits = x.bitPattern
    if x.isNaN { return Float(bitPattern: (bits | 0x0040_0000) & 0xFFFF_0000) }
    // Adding 0x7FFF plus the lowest kept bit carries into the kept half exactly when the
    // dropped half is above one half, or exactly one half with the kept half odd.
    return Float(bitPattern: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000)
}

/// Writes `bf16Rounded` of `count` floats of `source` to `destination`.
public func roundToBF16(_ destination: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, count: Int) {
    for i in 0..<count { destination[i] = bf16Rounded(source[i]) }
}
