import Kernels

/// A zero-initialised, owned, contiguous Float buffer: the parameter and gradient
/// arenas, Adam's moments and activation storage are all Arenas.
public final class Arena: @unchecked Sendable {
    public let count: Int
    public let base: UnsafeMutablePointer<Float>

    public init(count: Int) {
        self.count = count
        base = allocateFloats(count)
        base.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { deallocateFloats(base) }

    /// Start of a tensor's slice.
    @inline(__always)
    public subscript(_ v: TensorView) -> UnsafeMutablePointer<Float> { base + v.offset }

    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: base, count: count) }

    /// Sets every element to 0, split across `threads` workers.
    public func zero(threads: Int) {
        let base = base
        parallelChunks(count, threads: threads) { _, r in (base + r.lowerBound).update(repeating: 0, count: r.count) }
    }
}
