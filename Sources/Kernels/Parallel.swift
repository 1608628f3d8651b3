import CBLAS
import Dispatch

/// How many cores srdist's own loops and OpenBLAS may use in this process.
///
/// Kernels split a batch across `Threads.count` workers, each running single-threaded
/// BLAS, because running BLAS threads inside parallel loops oversubscribes the cores
/// (measured 2–3× slower, ../shared/notes/conv-speed.md). When there is only one work
/// item, BLAS gets all the threads instead.
public enum Threads {
    nonisolated(unsafe) public private(set) static var count = 1
    nonisolated(unsafe) private static var blasThreads = -1

    /// Sets the thread budget; call once at start-up, before any kernel runs.
    public static func configure(_ n: Int) {
        count = max(1, n)
        setBLAS(count)
    }

    /// Sets OpenBLAS's thread count only when it changes (the call takes a lock).
    static func setBLAS(_ n: Int) {
        if n != blasThreads {
            openblas_set_num_threads(Int32(n))
            blasThreads = n
        }
    }
}

/// Runs `body(worker, range)` over `0..<count` split into contiguous chunks, one per
/// worker. Chunk boundaries depend only on `count` and the thread budget, so any
/// per-worker reduction that follows happens in a fixed order (deterministic bits).
/// BLAS runs single-threaded inside the chunks unless there is a single chunk.
@inline(__always)
public func parallelChunks(_ count: Int, _ body: (_ worker: Int, _ range: Range<Int>) -> Void) {
    let workers = min(Threads.count, count)
    if workers <= 1 {
        Threads.setBLAS(Threads.count)
        if count > 0 { body(0, 0..<count) }
        return
    }
    Threads.setBLAS(1)
    DispatchQueue.concurrentPerform(iterations: workers) { w in
        body(w, (w * count / workers)..<((w + 1) * count / workers))
    }
}

/// Number of workers `parallelChunks(count)` will use.
public func workerCount(_ count: Int) -> Int { max(1, min(Threads.count, count)) }
