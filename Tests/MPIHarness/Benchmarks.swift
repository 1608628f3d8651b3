import Distributed
import Foundation
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

/// Training steps of EDSR-baseline ×2 (16 blocks, 64 features) with `Trainer.step` on
/// the global batch split over the ranks. Rank 0 prints the mean step time, exposed
/// communication and throughput.
/// Options: --threads T --steps N (after one warm-up) --batch 16 --patch 48 plus the
/// bucket options.
func benchEDSR(_ comm: Communicator, _ args: Arguments) throws {
    let (bucket, first) = bucketOptions(args)
    let batch = args.int("batch", 16), steps = args.int("steps", 3)
    let trainer = try harnessTrainer(comm, args, steps: steps + 1,
                                     defaults: ["batch": 16, "patch": 48, "features": 64, "blocks": 16, "max-skips": 3,
                                                "bucket": bucket, "first-bucket": first, "threads": 0])
    var (total, exposed) = (0.0, 0.0)
    for t in 0...steps {
        try comm.barrier()
        let (clock, waited) = (Date(), trainer.exposedCommunication)
        _ = try trainer.step(t)
        if t > 0 { (total, exposed) = (total + Date().timeIntervalSince(clock), exposed + trainer.exposedCommunication - waited) }  // step 0 warms up
    }
    // The rank that waited least finished backward last: its wait is communication
    // alone; the most is communication plus the imbalance between ranks.
    let worst = try comm.allreduce([total / Double(steps), exposed / Double(steps)], .max)
    let least = try comm.allreduce([exposed / Double(steps)], .min)
    if comm.rank == 0 {
        print(String(format: "bench-edsr np=%d threads=%d bucket=%d first=%d: step %.3f s, exposed %.5f s (%.3f%% of step; with imbalance %.5f s), %.3f patches/s",
                     comm.size, trainer.kernels.threads, bucket, first,
                     worst[0], least[0], 100 * least[0] / worst[0], worst[1], Double(batch) / worst[0]))
    }
}
