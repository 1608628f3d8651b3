import CBLAS
import Synchronization

/// OpenBLAS's thread count, which is process-wide state of the library: kept here only
/// so it is set when it changes (the call takes a lock), never read as a setting.
enum BLASThreads {
    nonisolated(unsafe) private static var current = -1

    static func set(_ n: Int) {
        if n != current {
            openblas_set_num_threads(Int32(n))
            current = n
        }
    }
}

/// Runs `body(worker, range)` over `0..<count` split into contiguous chunks, one per
/// worker (at most `threads`). Chunk boundaries depend only on `count` and `threads`,
/// so any per-worker reduction that follows happens in a fixed order (deterministic
/// bits). BLAS runs single-threaded inside the chunks, because BLAS threads inside
/// parallel loops oversubscribe the cores (measured 2–3× slower); with a single chunk
/// BLAS gets all the threads. The
/// chunks run on `WorkerPool`'s threads, chunk 0 on the caller's.
@inline(__always)
public func parallelChunks(_ count: Int, threads: Int, _ body: (_ worker: Int, _ range: Range<Int>) -> Void) {
    let workers = min(threads, count)
    if workers <= 1 {
        BLASThreads.set(max(1, threads))
        if count > 0 { body(0, 0..<count) }
        return
    }
    BLASThreads.set(1)
    WorkerPool.shared.run(workers) { w in
        body(w, (w * count / workers)..<((w + 1) * count / workers))
    }
}

/// Number of workers `parallelChunks(count, threads:)` will use.
public func workerCount(_ count: Int, threads: Int) -> Int { max(1, min(threads, count)) }

/// Indices `0..<count` handed out one at a time to whichever worker asks next, for work
/// whose result does not depend on the worker that does it (a convolution's output for
/// one unit): workers that run faster — one of this VM's two cores ran 5–15 % slower
/// for whole runs — take more of it, so a loop no longer ends when its slowest worker's
/// fixed share does.
public final class WorkQueue: Sendable {
    public let count: Int
    private let taken = Atomic<Int>(0)

    public init(_ count: Int) { self.count = count }

    /// The next index, or nil when all have been handed out.
    @inline(__always)
    public func next() -> Int? {
        let i = taken.add(1, ordering: .relaxed).oldValue
        return i < count ? i : nil
    }
}
