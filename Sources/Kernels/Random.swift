/// Counter-based random numbers: a value is a pure function of (seed, stream, index),
/// so sample j of step t, or weight i of tensor k, is the same whoever computes it and
/// in whatever order. SplitMix64's finaliser is the mixing function.
public struct CounterRandom: Sendable {
    public let seed: UInt64
    public init(seed: UInt64) { self.seed = seed }

    /// 64 random bits for (`stream`, `index`).
    @inline(__always)
    public func bits(_ stream: UInt64, _ index: UInt64) -> UInt64 {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* (stream &+ 1)
        z = mix(z) &+ index &* 0xD1B5_4A32_D192_ED03
        return mix(z)
    }

    /// Uniform in [0, 1) with 24 random bits (exact in Float).
    @inline(__always)
    public func unit(_ stream: UInt64, _ index: UInt64) -> Float {
        Float(bits(stream, index) >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform integer in 0..<bound.
    @inline(__always)
    public func below(_ bound: Int, _ stream: UInt64, _ index: UInt64) -> Int {
        Int(bits(stream, index) % UInt64(bound))
    }

    @inline(__always)
    private func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
