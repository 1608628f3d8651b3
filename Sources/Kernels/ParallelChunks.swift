import CBLAS
import Dispatch

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
/// parallel loops oversubscribe the cores (measured 2–3× slower,
/// ../shared/notes/conv-speed.md); with a single chunk BLAS gets all the threads.
@inline(__always)
public func parallelChunks(_ count: Int, threads: Int, _ body: (_ worker: Int, _ range: Range<Int>) -> Void) {
    let workers = min(threads, count)
    if workers <= 1 {
        BLASThreads.set(max(1, threads))
        if count > 0 { body(0, 0..<count) }
        return
    }
    BLASThreads.set(1)
    DispatchQueue.concurrentPerform(iterations: workers) { w in
        body(w, (w * count / workers)..<((w + 1) * count / workers))
    }
}

/// Number of workers `parallelChunks(count, threads:)` will use.
public func workerCount(_ count: Int, threads: Int) -> Int { max(1, min(threads, count)) }
