import Distributed
import Foundation
import Kernels
import Machine
import Models
import Support
import Train

/// Data-parallel training of a tiny EDSR on random patches — the loop the trainer
/// runs, reduced to what the Distributed layer must get right: rank 0's initial
/// weights, global-batch shares, bucketed overlapped gradient sums, per-step agreement
/// (NaN skip via SRDIST_TEST_INJECT_NAN) and a parameter-hash check after every step.
/// Rank 0 writes the final parameters (raw float32) to `--out`.
///
/// Options: --steps 4 --batch 6 --patch 8 --features 8 --blocks 2 --max-skips 3
///          --bucket 2000 --first-bucket 500 --out FILE
func runTraining(_ comm: Communicator, _ args: Arguments) throws {
    let steps = args.int("steps", 4), batch = args.int("batch", 6), p = args.int("patch", 8)
    try expect(batch >= comm.size, "batch \(batch) smaller than \(comm.size) ranks")
    Threads.configure(threadsPerRank(configured: args.int("threads", 0)))
    let config = EDSRConfig(scale: 2, blocks: args.int("blocks", 2), features: args.int("features", 8), resScale: 1)
    // Every rank but 0 starts from different weights: the broadcast must fix that.
    let model = EDSR(config, seed: 7 &+ UInt64(comm.rank))
    let count = model.layout.count
    try comm.broadcastFromRoot([(model.params.base, count)])
    try comm.checkAgreement([("parameters", StableHash.of(model.params.base, count: count))])

    let adam = Adam(count: count)
    let buckets = GradientBuckets(communicator: comm, gradients: model.grads.base, count: count,
                                  ranges: GradientBuckets.plan(count: count, boundaries: model.layout.views.map(\.offset),
                                                               bucketSize: args.int("bucket", 2000), firstBucketSize: args.int("first-bucket", 500)))
    let agreement = StepAgreement(communicator: comm, maxConsecutiveSkips: args.int("max-skips", 3))
    let faults = try FaultInjection()

    let share = comm.share(of: batch)
    let n = share.count, lrCount = 3 * p * p, hrCount = 3 * 4 * p * p
    let lr = Arena(count: n * lrCount), hr = Arena(count: n * hrCount), dOut = Arena(count: n * hrCount)
    let random = CounterRandom(seed: 11)
    for t in 0..<steps {
        comm.watchdog?.step = t
        // Sample j of step t depends on (t, j) only, not on which rank draws it.
        for (k, j) in share.enumerated() {
            for i in 0..<lrCount { lr.base[k * lrCount + i] = 255 * random.unit(UInt64(2 * t), UInt64(j * lrCount + i)) }
            for i in 0..<hrCount { hr.base[k * hrCount + i] = 255 * random.unit(UInt64(2 * t + 1), UInt64(j * hrCount + i)) }
        }
        let sr = model.forward(lr.base, n: n, h: p, w: p)
        let loss = l1LossForward(prediction: sr, target: hr.base, count: n * hrCount)
        l1LossBackward(dPrediction: dOut.base, prediction: sr, target: hr.base, count: n * hrCount,
                       weight: 1 / Float(batch * hrCount))
        model.grads.zero()
        if faults.injectsNaN(rank: comm.rank, step: t) { model.grads.base[0] = .nan }
        model.backward(dOut.base) { buckets.ready(from: $0) }
        try buckets.finish()
        let decision = try agreement.agree(loss: loss, lossWeight: Double(n) / Double(batch),
                                           gradients: model.grads.base, count: count, finished: t == steps - 1)
        if decision.apply { adam.update(params: model.params, grads: model.grads, range: 0..<count, lr: 1e-3) }
        let hash = StableHash.of(model.params.base, count: count)
        try comm.checkAgreement([("parameters after step \(t)", hash)])
        say(comm, String(format: "step %d %@ loss %.6f params %016llx", t, decision.apply ? "applied" : "skipped", decision.loss, hash))
        if let stop = decision.stop {
            if stop != .finished { throw StopError(reason: stop) }
            break
        }
    }
    if comm.rank == 0, let out = args.string("out") {
        try Data(buffer: UnsafeBufferPointer(model.params.buffer)).write(to: URL(fileURLWithPath: out))
    }
    say(comm, "skipped \(agreement.skippedSteps) steps, exposed communication \(String(format: "%.6f", buckets.exposedSeconds)) s")
    say(comm, "train ok")
}
