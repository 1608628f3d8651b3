import CMalloc

/// The settings a network's (or a benchmark's, a test's) kernels run with and the
/// scratch buffers they reuse: built once from a `KernelSettings` and passed to every
/// kernel call. Kernels of one context must not run concurrently (they share scratch).
public final class KernelContext {
    public let settings: KernelSettings
    let scratch = Scratch()

    public init(_ settings: KernelSettings = KernelSettings()) { self.settings = settings }

    /// `settings.threads`.
    public var threads: Int { settings.threads }

    /// A buffer of at least `count` floats for `use`; contents undefined.
    public func buffer(_ use: ScratchUse, count: Int) -> UnsafeMutablePointer<Float> {
        scratch.buffer(use, worker: 0, count: count)
    }

    /// Frees the scratch buffers (they grow again on the next kernel call), and returns
    /// freed heap pages to the system: for a phase that runs other shapes, or none.
    public func releaseScratch() {
        scratch.removeAll()
        _ = srdist_malloc_trim()
    }

    /// One buffer of at least `count` floats per worker of a region over `items` work items.
    public func perWorker(_ use: ScratchUse, items: Int, count: Int) -> [UnsafeMutablePointer<Float>] {
        (0..<workerCount(items, threads: threads)).map { scratch.buffer(use, worker: $0, count: count) }
    }
}
