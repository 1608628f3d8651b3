@testable import Kernels
import Foundation
import Synchronization
import XCTest

/// `parallelChunks` on `WorkerPool`'s spinning threads, and `WorkQueue`: every chunk runs
/// exactly once per call, whatever the worker counts of consecutive calls, when the
/// helpers have gone to sleep between calls, when calls nest, and when two threads
/// call at once.
final class WorkerPoolTests: XCTestCase {
    /// Runs `parallelChunks(count, threads:)` and returns how often each index was visited
    /// and by which worker, checking that each worker got exactly its chunk.
    func visits(_ count: Int, threads: Int, file: StaticString = #filePath, line: UInt = #line) -> [Int] {
        let seen = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
        seen.initialize(repeating: 0, count: max(count, 1))
        defer { seen.deallocate() }
        let workers = workerCount(count, threads: threads)
        parallelChunks(count, threads: threads) { worker, range in
            XCTAssertEqual(range, (worker * count / workers)..<((worker + 1) * count / workers), file: file, line: line)
            for i in range { seen[i] += 1 }
        }
        return Array(UnsafeBufferPointer(start: seen, count: count))
    }

    func testEveryChunkRunsOnceAcrossChangingWorkerCounts() {
        for round in 0..<3000 {
            let threads = [2, 3, 4, 1, 2, 8][round % 6], count = 1 + round % 37
            XCTAssertEqual(visits(count, threads: threads), [Int](repeating: 1, count: count), "round \(round)")
        }
    }

    /// Pauses longer than the spin time put the helpers to sleep; the next call wakes them.
    func testCallsAfterTheHelpersSleptStillRun() {
        for round in 0..<20 {
            usleep(UInt32(3 * WorkerPool.spinNanoseconds / 1000))
            XCTAssertEqual(visits(16, threads: 3), [Int](repeating: 1, count: 16), "round \(round)")
        }
    }

    func testNestedCallsRun() {
        let inner = UnsafeMutablePointer<Int>.allocate(capacity: 4 * 10)
        inner.initialize(repeating: 0, count: 4 * 10)
        defer { inner.deallocate() }
        parallelChunks(4, threads: 4) { _, outer in
            for o in outer {
                parallelChunks(10, threads: 2) { _, r in for i in r { inner[o * 10 + i] += 1 } }
            }
        }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: inner, count: 40)), [Int](repeating: 1, count: 40))
    }

    func testTwoCallingThreadsAtOnce() {
        let failures = Atomic(0)
        DispatchQueue.concurrentPerform(iterations: 2) { caller in
            for round in 0..<500 where visits(5 + caller + round % 11, threads: 2) != [Int](repeating: 1, count: 5 + caller + round % 11) {
                failures.add(1, ordering: .relaxed)
            }
        }
        XCTAssertEqual(failures.load(ordering: .relaxed), 0)
    }

    func testWorkQueueHandsOutEachIndexOnce() {
        let count = 10_000
        let queue = WorkQueue(count)
        let taken = UnsafeMutablePointer<Int>.allocate(capacity: count)
        taken.initialize(repeating: 0, count: count)
        defer { taken.deallocate() }
        parallelChunks(4, threads: 4) { _, _ in
            while let i = queue.next() { taken[i] += 1 }
        }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: taken, count: count)), [Int](repeating: 1, count: count))
        XCTAssertNil(queue.next())
    }
}
