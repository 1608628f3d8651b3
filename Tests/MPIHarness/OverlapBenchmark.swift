import Distributed
import Foundation

/// Result of `measureOverlap`: means per step, in seconds.
struct OverlapMeasurement: Sendable {
    /// Wall time of one step: compute plus whatever communication was not hidden.
    var step: Double
    /// Time `GradientBuckets.finish()` waited on the rank that waited least — the last
    /// to finish backward, so its wait is communication alone, not a slower partner.
    var exposed: Double
    /// The same on the rank that waited most: exposed communication plus imbalance.
    var exposedMax: Double
    /// The same compute alone, measured before any communication.
    var compute: Double
    /// One plain blocking allreduce of the whole arena (what no overlap would cost).
    var plainAllreduce: Double
}

/// Measures the bucketed gradient allreduce overlapped with stand-in compute: a
/// backward pass of `layers` equal layers over an arena of `count` floats (default:
/// EDSR-baseline ×2, 1 369 859), each layer a fixed amount of arithmetic calibrated to
/// take `computeSeconds / layers` alone. Because the work is fixed rather than timed,
/// communication that steals the cores shows up as a longer step. Collective: every
/// rank calls it with the same arguments.
func measureOverlap(communicator comm: Communicator, count: Int = 1_369_859, layers: Int = 36,
                           computeSeconds: Double, steps: Int, bucketSize: Int, firstBucketSize: Int) throws -> OverlapMeasurement {
    let grads = UnsafeMutablePointer<Float>.allocate(capacity: count)
    defer { grads.deallocate() }
    let bounds = (0...layers).map { count - $0 * count / layers }  // layer i owns bounds[i+1]..<bounds[i]
    let buckets = GradientBuckets(communicator: comm, gradients: grads, count: count,
                                  ranges: GradientBuckets.plan(count: count, boundaries: bounds,
                                                               bucketSize: bucketSize, firstBucketSize: firstBucketSize))
    // Calibrate on rank 0 and share, so every rank does the same work.
    var work = [Double(FakeWork.iterations(forSeconds: computeSeconds / Double(layers)))]
    try work.withUnsafeMutableBufferPointer { try comm.broadcast($0) }
    let perLayer = Int(work[0])

    func backward(_ ready: (Int) -> Void) {
        for i in 0..<layers {
            FakeWork.run(perLayer)
            for j in bounds[i + 1]..<bounds[i] { grads[j] = Float(comm.rank &+ j & 1023) }
            ready(bounds[i + 1])
        }
    }
    try comm.barrier()
    var clock = Date()
    backward { _ in }
    let compute = Date().timeIntervalSince(clock)

    try comm.barrier()
    clock = Date()
    try comm.allreduce(UnsafeMutableBufferPointer(start: grads, count: count), .sum)
    let plain = Date().timeIntervalSince(clock)

    var (total, exposed) = (0.0, 0.0)
    for _ in 0..<steps {
        try comm.barrier()
        clock = Date()
        backward { buckets.ready(from: $0) }
        exposed += try buckets.finish()
        total += Date().timeIntervalSince(clock)
    }
    let stats = try comm.allreduce([total, exposed, compute, plain], .max)
    let least = try comm.allreduce([exposed], .min)
    let n = Double(max(steps, 1))
    return OverlapMeasurement(step: stats[0] / n, exposed: least[0] / n, exposedMax: stats[1] / n, compute: stats[2], plainAllreduce: stats[3])
}

/// A fixed amount of floating-point work standing in for a layer's backward.
enum FakeWork {
    nonisolated(unsafe) static var sink: Float = 0

    static func run(_ iterations: Int) {
        var a: Float = 1, b: Float = 0.5
        for _ in 0..<iterations {
            a = a * 0.999_999 + b
            b = b * 0.999_998 + 1e-7
        }
        sink = a + b  // keeps the loop from being optimised away
    }

    static func iterations(forSeconds target: Double) -> Int {
        var n = 100_000
        while true {
            let clock = Date()
            run(n)
            let t = Date().timeIntervalSince(clock)
            if t > 0.05 || n > 1 << 34 { return max(1, Int(Double(n) * target / t)) }
            n *= 4
        }
    }
}
