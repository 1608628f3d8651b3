import CPrefetch
import Dispatch
import Foundation
import Synchronization

/// The threads that run `parallelChunks`' chunks 1…n−1 (the caller runs chunk 0): kept
/// for the life of the process and spinning for a while after each job before they
/// sleep. A training step is ~180 parallel loops back to back; with threads that sleep
/// after each loop (libdispatch), every loop began with a wake-up — a futex, and in a VM
/// an interrupt to a halted virtual CPU — and the woken thread started ~0.1 ms late.
final class WorkerPool: @unchecked Sendable {
    /// How long an idle thread spins before it sleeps: longer than the gaps between a
    /// step's loops, short enough that a thread left waiting (the end of a step, a pause
    /// for data, OpenBLAS running its own threads inside a single chunk) stops competing
    /// for a core within a millisecond. No spinning when a job has more workers than the
    /// process may use cores: a spinning thread would take a core from a working one.
    static let spinNanoseconds: UInt64 = 1_000_000

    /// Cores this process may run on (asked once: Foundation reads cgroup files for it).
    static let cores = ProcessInfo.processInfo.activeProcessorCount

    /// The process's pool; jobs from several threads at once take turns (`busy`).
    static let shared = WorkerPool()

    private let busy = Mutex(false)
    /// The job's generation × 2¹⁶ + its worker count, posted in one store so that a
    /// helper reads both together: a helper late to one job cannot mistake the next
    /// one's worker count for it.
    private let posted = Atomic<Int>(0)
    private let pending = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let condition = NSCondition()
    nonisolated(unsafe) private var job: ((Int) -> Void)?
    private let spin = Atomic<UInt64>(0)
    nonisolated(unsafe) private var helpers = 0

    /// Runs `body(w)` for w in 0..<workers, w = 0 on the calling thread; returns when all
    /// have returned. A call made while another job runs (from another thread, or nested
    /// inside a chunk) goes to libdispatch instead, which gives the same chunks.
    func run(_ workers: Int, _ body: (Int) -> Void) {
        precondition(workers < 1 << 16)
        guard busy.withLock({ taken in
            if taken { return false }
            taken = true
            return true
        }) else {
            DispatchQueue.concurrentPerform(iterations: workers, execute: body)
            return
        }
        defer { busy.withLock { $0 = false } }
        while helpers < workers - 1 { start(helper: helpers + 1) }
        withoutActuallyEscaping(body) { body in
            job = body
            spin.store(workers <= Self.cores ? Self.spinNanoseconds : 0, ordering: .relaxed)
            pending.store(workers - 1, ordering: .sequentiallyConsistent)
            let generation = posted.load(ordering: .relaxed) >> 16 &+ 1
            posted.store(generation << 16 | workers, ordering: .sequentiallyConsistent)
            wakeSleepers()
            body(0)
            wait { pending.load(ordering: .sequentiallyConsistent) == 0 }
            job = nil
        }
    }

    private func start(helper index: Int) {
        helpers += 1
        let seen = posted.load(ordering: .sequentiallyConsistent)
        Thread { [self] in
            Thread.current.name = "srdist-worker"  // as `top -H` and perf show it
            loop(index, after: seen)
        }.start()
    }

    /// A helper takes part in the jobs with more than `index` workers; the caller posts
    /// the next job only when every helper taking part in this one has answered.
    private func loop(_ index: Int, after first: Int) {
        var seen = first
        while true {
            wait { posted.load(ordering: .sequentiallyConsistent) != seen }
            seen = posted.load(ordering: .sequentiallyConsistent)
            guard index < seen & 0xFFFF else { continue }
            job?(index)
            if pending.subtract(1, ordering: .sequentiallyConsistent).newValue == 0 { wakeSleepers() }
        }
    }

    private func wakeSleepers() {
        guard sleepers.load(ordering: .sequentiallyConsistent) > 0 else { return }
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    /// Spins until `ready()` or `spin` ns have passed, then sleeps on the condition until
    /// `ready()`. A thread registers as a sleeper before its last check and a waker
    /// checks for sleepers after its change (both sequentially consistent), so one of the
    /// two always sees the other.
    private func wait(_ ready: () -> Bool) {
        let (start, limit) = (DispatchTime.now().uptimeNanoseconds, spin.load(ordering: .relaxed))
        var spins = 0
        while !ready() {
            srdist_spin_pause()
            spins &+= 1
            if spins & 63 == 0, DispatchTime.now().uptimeNanoseconds &- start >= limit {
                condition.lock()
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while !ready() { condition.wait() }
                sleepers.subtract(1, ordering: .sequentiallyConsistent)
                condition.unlock()
                return
            }
        }
    }
}
