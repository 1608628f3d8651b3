import Distributed
import Foundation
import Support
import Train

/// Data-parallel training of a tiny EDSR with the product's `Trainer.step` (rank 0's
/// initial weights, global-batch shares, bucketed overlapped gradient sums, per-step
/// agreement with the NaN skip via SRDIST_TEST_INJECT_NAN), with a parameter-hash
/// check across ranks after every step. Rank 0 writes the final parameters (raw
/// float32) to `--out`.
///
/// Each step's line names every rank's share (`shares 3,3`).
///
/// Options: --steps 4 --batch 6 --patch 8 --features 8 --blocks 2 --max-skips 3
///          --bucket 2000 --first-bucket 500 --threads 0 --out FILE, and the balance
///          options of `harnessTrainer`
func runTraining(_ comm: Communicator, _ args: Arguments) throws {
    let steps = args.int("steps", 4)
    let trainer = try harnessTrainer(comm, args, steps: steps,
                                     defaults: ["batch": 6, "patch": 8, "features": 8, "blocks": 2, "max-skips": 3,
                                                "bucket": 2000, "first-bucket": 500, "threads": 0])
    let model = trainer.model, count = trainer.model.layout.count
    try comm.checkAgreement([("parameters", StableHash.of(model.params.base, count: count))])
    for t in 0..<steps {
        let decision = try trainer.step(t)
        let hash = StableHash.of(model.params.base, count: count)
        try comm.checkAgreement([("parameters after step \(t)", hash)])
        let shares = trainer.shareCounts(step: t).map(String.init).joined(separator: ",")
        say(comm, String(format: "step %d %@ loss %.6f shares %@ params %016llx", t, decision.apply ? "applied" : "skipped",
                         decision.loss, shares, hash))
        if let stop = decision.stop {
            if stop != .finished { throw StopError(reason: stop) }
            break
        }
    }
    if comm.rank == 0, let out = args.string("out") {
        try Data(buffer: UnsafeBufferPointer(model.params.buffer)).write(to: URL(fileURLWithPath: out))
    }
    say(comm, "skipped \(trainer.skippedSteps) steps, exposed communication \(String(format: "%.6f", trainer.exposedCommunication)) s")
    say(comm, "train ok")
}
