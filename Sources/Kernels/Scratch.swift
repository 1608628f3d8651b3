/// Reusable scratch buffers for kernels (im2col columns, per-worker partial gradients).
/// Allocating tens of megabytes per call costs page faults on every step; these grow
/// once and stay. Buffers are handed out before a parallel region starts, so workers
/// never touch the table itself.
public final class Scratch {
    nonisolated(unsafe) public static let shared = Scratch()

    private struct Key: Hashable { var use: String; var worker: Int }
    private var buffers: [Key: (base: UnsafeMutablePointer<Float>, count: Int)] = [:]

    /// A buffer of at least `count` floats for (`use`, `worker`); contents undefined.
    public func buffer(_ use: String, worker: Int = 0, count: Int) -> UnsafeMutablePointer<Float> {
        let key = Key(use: use, worker: worker)
        if let b = buffers[key], b.count >= count { return b.base }
        if let old = buffers[key] { deallocateFloats(old.base) }
        let base = allocateFloats(count, roundUp: true)
        buffers[key] = (base, count)
        return base
    }

    /// One buffer per worker of a region over `items` work items.
    public func perWorker(_ use: String, items: Int, count: Int) -> [UnsafeMutablePointer<Float>] {
        (0..<workerCount(items)).map { buffer(use, worker: $0, count: count) }
    }
}
