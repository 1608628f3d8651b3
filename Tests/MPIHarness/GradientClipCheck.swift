import Distributed
import Foundation
import Support
import Train

/// One training step of a tiny EDSR through `Trainer` with `train.grad_clip` = --clip
/// (0: off), on however many ranks mpirun started. Every rank prints the norm the
/// trainer reported (before clipping) and the norm of the gradient Adam got, both
/// summed by hand here; the ranks must agree on both to the bit.
func checkGradientClipping(_ comm: Communicator, _ args: Arguments) throws {
    let config = try Config.parse(Data("""
    {"name": "clip", "model": {"scale": 2, "blocks": 1, "features": 8},
     "train": {"batch_size": 4, "patch_size": 8, "steps": 2, "grad_clip": \(args.double("clip", 0)),
               "threads_per_rank": 1},
     "data": {"kind": "synthetic", "synthetic_images": 4, "synthetic_size": 32}}
    """.utf8), file: "clip.json")
    let trainer = try Trainer(config: config, kernels: try config.kernelSettings(), communicator: comm)
    try expect(try trainer.step(0).apply, "step 0 was skipped")
    let g = trainer.model.grads
    var sum = 0.0
    for i in 0..<g.count { sum += Double(g.base[i]) * Double(g.base[i]) }
    try comm.checkAgreement([("gradient norm", StableHash.of(String(trainer.gradientNorm.bitPattern))),
                             ("applied gradient", StableHash.of(g.base, count: g.count))])
    say(comm, String(format: "norm %.17g applied %.17g", trainer.gradientNorm, sum.squareRoot()))
    say(comm, "clip ok")
}
