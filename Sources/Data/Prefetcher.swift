import Dispatch
import Foundation

/// Double-buffered batches: while step t computes on one buffer, a background
/// queue fills step t + 1's samples into the other, so the training step only
/// waits for data when the loader is slower than the step.
public final class Prefetcher: @unchecked Sendable {
    /// One step's share of the batch, valid until the next call to `next(step:)`.
    public struct Batch {
        /// `[samples.count, 3, patch, patch]`, 0…255.
        public let lr: UnsafeMutablePointer<Float>
        /// `[samples.count, 3, patch·s, patch·s]`, 0…255.
        public let hr: UnsafeMutablePointer<Float>
        /// Seconds `next(step:)` blocked for this batch.
        public let waitSeconds: Double
    }

    /// Writes step t's batch into (lr, hr).
    let fill: @Sendable (Int, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void
    let lr: [UnsafeMutablePointer<Float>], hr: [UnsafeMutablePointer<Float>]
    let queue = DispatchQueue(label: "srdist.prefetch")
    /// The fill in flight: its step, buffer slot and completion group.
    var pending: (step: Int, slot: Int, done: DispatchGroup)?

    /// Prefetches `samples` of each step from `sampler`.
    public convenience init(sampler: PatchSampler, samples: Range<Int>) {
        self.init(lrCount: samples.count * sampler.lrCount, hrCount: samples.count * sampler.hrCount) { step, lr, hr in
            sampler.fill(step: step, samples: samples, lr: lr, hr: hr)
        }
    }

    /// Prefetches whatever `fill` writes for a step (e.g. a different scale's sampler
    /// per step for MDSR) into buffers of `lrCount` and `hrCount` floats.
    public init(lrCount: Int, hrCount: Int, fill: @escaping @Sendable (Int, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        self.fill = fill
        lr = (0..<2).map { _ in .allocate(capacity: max(1, lrCount)) }
        hr = (0..<2).map { _ in .allocate(capacity: max(1, hrCount)) }
    }

    deinit {
        pending?.done.wait()
        (lr + hr).forEach { $0.deallocate() }
    }

    /// The batch of global step `step`, then starts filling `step + 1` in the
    /// background. Steps are expected in order; any other step is filled on the spot
    /// (and counted as waiting).
    public func next(step: Int) -> Batch {
        let start = DispatchTime.now()
        let slot: Int
        if let p = pending, p.step == step {
            p.done.wait()
            slot = p.slot
        } else {
            pending?.done.wait()
            slot = 1 - (pending?.slot ?? 1)
            fill(step, lr[slot], hr[slot])
        }
        let waited = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let nextSlot = 1 - slot, done = DispatchGroup()
        queue.async(group: done) {
            self.fill(step + 1, self.lr[nextSlot], self.hr[nextSlot])
        }
        pending = (step + 1, nextSlot, done)
        return Batch(lr: lr[slot], hr: hr[slot], waitSeconds: waited)
    }
}
