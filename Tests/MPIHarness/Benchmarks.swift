import Distributed
import Foundation
import Kernels
import Machine
import Models
import Train

/// Options shared by the benchmarks: --bucket --first-bucket (floats).
private func bucketOptions(_ args: Arguments) -> (bucket: Int, first: Int) {
    (args.int("bucket", GradientBuckets.defaultBucketSize), args.int("first-bucket", GradientBuckets.defaultFirstBucketSize))
}

/// Bucketed allreduce of an EDSR-baseline-sized arena overlapped with stand-in compute
/// (`measureOverlap`). Options: --compute SECONDS --steps N plus the bucket options.
func benchOverlap(_ comm: Communicator, _ args: Arguments) throws {
    let (bucket, first) = bucketOptions(args)
    let m = try measureOverlap(communicator: comm, computeSeconds: args.double("compute", 0.5), steps: args.int("steps", 5),
                               bucketSize: bucket, firstBucketSize: first)
    if comm.rank == 0 {
        print(String(format: "bench-overlap np=%d bucket=%d first=%d: compute %.4f s, step %.4f s (+%.2f%%), exposed %.5f s (%.2f%% of step; with imbalance %.5f s), plain allreduce %.5f s",
                     comm.size, bucket, first, m.compute, m.step, 100 * (m.step / m.compute - 1),
                     m.exposed, 100 * m.exposed / m.step, m.exposedMax, m.plainAllreduce))
    }
}

/// Training steps of EDSR-baseline ×2 (16 blocks, 64 features) on the global batch
/// split over the ranks: forward, L1, backward with the bucketed allreduce, agreement,
/// Adam. Rank 0 prints the mean step time, exposed communication and throughput.
/// Options: --threads T --steps N (after one warm-up) --batch 16 --patch 48 plus the
/// bucket options.
func benchEDSR(_ comm: Communicator, _ args: Arguments) throws {
    let (bucket, first) = bucketOptions(args)
    let threads = threadsPerRank(configured: args.int("threads", 0))
    Threads.configure(threads)
    let batch = args.int("batch", 16), p = args.int("patch", 48), steps = args.int("steps", 3)
    let model = EDSR(EDSRConfig(scale: 2, blocks: 16, features: 64, resScale: 1), seed: 1)
    let count = model.layout.count
    let adam = Adam(count: count)
    let buckets = GradientBuckets(communicator: comm, gradients: model.grads.base, count: count,
                                  ranges: GradientBuckets.plan(count: count, boundaries: model.layout.views.map(\.offset),
                                                               bucketSize: bucket, firstBucketSize: first))
    let agreement = StepAgreement(communicator: comm, maxConsecutiveSkips: 3)
    let share = comm.share(of: batch)
    let n = share.count, lrCount = 3 * p * p, hrCount = 12 * p * p
    let lr = Arena(count: n * lrCount), hr = Arena(count: n * hrCount), dOut = Arena(count: n * hrCount)
    let random = CounterRandom(seed: 3)
    for i in 0..<lr.count { lr.base[i] = 255 * random.unit(0, UInt64(i)) }
    for i in 0..<hr.count { hr.base[i] = 255 * random.unit(1, UInt64(i)) }

    var (total, exposed) = (0.0, 0.0)
    for t in 0...steps {
        try comm.barrier()
        let clock = Date()
        let sr = model.forward(lr.base, n: n, h: p, w: p)
        let loss = l1LossForward(prediction: sr, target: hr.base, count: n * hrCount)
        l1LossBackward(dPrediction: dOut.base, prediction: sr, target: hr.base, count: n * hrCount, weight: 1 / Float(batch * hrCount))
        model.grads.zero()
        model.backward(dOut.base) { buckets.ready(from: $0) }
        let wait = try buckets.finish()
        let decision = try agreement.agree(loss: loss, lossWeight: Double(n) / Double(batch), gradients: model.grads.base, count: count)
        if decision.apply { adam.update(params: model.params, grads: model.grads, range: 0..<count, lr: 1e-4) }
        if t > 0 { (total, exposed) = (total + Date().timeIntervalSince(clock), exposed + wait) }  // step 0 warms up
    }
    // The rank that waited least finished backward last: its wait is communication
    // alone; the most is communication plus the imbalance between ranks.
    let worst = try comm.allreduce([total / Double(steps), exposed / Double(steps)], .max)
    let least = try comm.allreduce([exposed / Double(steps)], .min)
    if comm.rank == 0 {
        print(String(format: "bench-edsr np=%d threads=%d bucket=%d first=%d buckets=%d: step %.3f s, exposed %.5f s (%.3f%% of step; with imbalance %.5f s), %.3f patches/s",
                     comm.size, threads, bucket, first, buckets.ranges.count,
                     worst[0], least[0], 100 * least[0] / worst[0], worst[1], Double(batch) / worst[0]))
    }
}
