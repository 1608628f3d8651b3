import Foundation

/// Sums a flat gradient arena over all ranks in contiguous buckets, overlapped with
/// backward.
///
/// Buckets are taken in reverse arena order (backward finishes the highest offsets
/// first), the first one small so communication starts early. Backward calls
/// `ready(from:)` after each layer; every bucket lying entirely at or above that offset
/// starts reducing, in the same order on every rank. `finish()` completes the rest and
/// leaves the sum in the arena.
///
/// Open MPI 4.1 has no progress thread, so a bucket's non-blocking allreduce (into a
/// separate receive buffer: in-place ones fall back to a slow tree) advances only when
/// `ready` polls it with `MPI_Test`, between layers. A communication thread running
/// blocking allreduces was measured slower here (it spins on a core the compute needs;
/// docs/distributed.md), so polling is the only strategy.
///
/// The loss gradient is already weighted by 1/(global batch elements), so the sum is
/// the global mean gradient.
public final class GradientBuckets {
    /// Default bucket size in floats (1 MiB).
    public static let defaultBucketSize = 262_144
    /// Default size of the first, small bucket in floats (128 KiB): it holds the last
    /// layers, so communication starts right after backward's first layer.
    public static let defaultFirstBucketSize = 32_768

    /// The buckets in reduction order: highest offsets first.
    public let ranges: [Range<Int>]
    /// Seconds `finish()` waited on communication, summed over steps.
    public private(set) var exposedSeconds = 0.0
    /// Completed steps (`finish()` calls).
    public private(set) var steps = 0

    private let communicator: Communicator
    private let gradients: UnsafeMutablePointer<Float>
    private var next = 0  // first bucket not started this step
    private var failure: Error?

    private let received: UnsafeMutablePointer<Float>?
    private var requests: [Request?]

    /// - Parameters:
    ///   - communicator: the ranks to sum over.
    ///   - gradients: the gradient arena, `count` floats; it must outlive this object.
    ///   - ranges: the buckets, from `plan(count:boundaries:bucketSize:firstBucketSize:)`.
    public init(communicator: Communicator, gradients: UnsafeMutablePointer<Float>, count: Int, ranges: [Range<Int>]) {
        precondition(ranges.reduce(0) { $0 + $1.count } == count, "GradientBuckets: buckets must cover the arena")
        (self.communicator, self.gradients, self.ranges) = (communicator, gradients, ranges)
        requests = Array(repeating: nil, count: ranges.count)
        received = communicator.size > 1 ? .allocate(capacity: max(count, 1)) : nil
    }

    deinit { received?.deallocate() }

    /// Cuts `0..<count` into buckets at the given boundaries, highest first: the first
    /// bucket holds at least `firstBucketSize` floats, later ones at least `bucketSize`
    /// (each as small as the boundaries allow; the last takes what remains).
    ///
    /// - Parameter boundaries: offsets where a bucket may start — the offsets backward
    ///   passes to `ready(from:)`, so a bucket starts as soon as its layers are done.
    public static func plan(count: Int, boundaries: [Int], bucketSize: Int, firstBucketSize: Int) -> [Range<Int>] {
        let cuts = Set(boundaries.filter { $0 > 0 && $0 < count }).sorted(by: >) + [0]
        var ranges: [Range<Int>] = []
        var upper = count
        for cut in cuts where upper > 0 {
            let target = ranges.isEmpty ? firstBucketSize : bucketSize
            if upper - cut >= target || cut == 0 {
                ranges.append(cut..<upper)
                upper = cut
            }
        }
        return ranges
    }

    /// Tells the reducer that every gradient at `offset..<count` is final: starts each
    /// bucket lying there that has not started, then advances those in flight.
    /// An MPI error is kept and thrown by `finish()` (backward cannot throw).
    public func ready(from offset: Int) {
        guard communicator.size > 1, failure == nil else { return }
        do {
            while next < ranges.count && ranges[next].lowerBound >= offset {
                let r = ranges[next]
                requests[next] = try communicator.iallreduce(send: gradients + r.lowerBound, receive: received! + r.lowerBound,
                                                             count: r.count, .sum)
                next += 1
            }
            try poll()
        } catch { failure = error }
    }

    /// Completes every bucket (starting any not yet started) and leaves the summed
    /// gradient in the arena.
    ///
    /// - Returns: the seconds spent waiting here: communication that computation did
    ///   not hide.
    /// - Throws: `MPIError` from this step's reductions.
    @discardableResult
    public func finish() throws -> Double {
        guard communicator.size > 1 else { steps += 1; return 0 }
        let clock = Date()
        ready(from: 0)
        defer { next = 0 }
        if let failure { self.failure = nil; throw failure }
        try communicator.watched("bucketed gradient allreduce") {
            for i in ranges.indices {
                try requests[i]?.wait()
                collect(i)
            }
        }
        let exposed = Date().timeIntervalSince(clock)
        exposedSeconds += exposed
        steps += 1
        return exposed
    }

    /// Advances MPI; copies back buckets that completed, in order.
    private func poll() throws {
        for i in 0..<next {
            guard let request = requests[i] else { continue }
            guard try request.test() else { return }
            collect(i)
        }
    }

    private func collect(_ i: Int) {
        guard requests[i] != nil else { return }
        let r = ranges[i]
        (gradients + r.lowerBound).update(from: received! + r.lowerBound, count: r.count)
        requests[i] = nil
    }
}
