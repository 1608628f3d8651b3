import Distributed
import Foundation
import Train

/// A `Trainer` for the harness scenarios: EDSR ×2 on generated images, configured from
/// the command line, so the scenarios run the step the product runs.
/// Options: --batch --patch --features --blocks --max-skips --bucket --first-bucket
/// --threads (defaults per scenario in `defaults`).
func harnessTrainer(_ comm: Communicator, _ args: Arguments, steps: Int, defaults: [String: Int]) throws -> Trainer {
    func option(_ key: String) -> Int { args.int(key, defaults[key]!) }
    let (batch, patch) = (option("batch"), option("patch"))
    try expect(batch >= comm.size, "batch \(batch) smaller than \(comm.size) ranks")
    let json = """
        {"name": "harness",
         "model": {"scale": 2, "blocks": \(option("blocks")), "features": \(option("features"))},
         "train": {"steps": \(steps), "batch_size": \(batch), "patch_size": \(patch), "lr": 1e-3, "seed": 11,
                   "max_skipped_steps": \(option("max-skips")), "threads_per_rank": \(option("threads"))},
         "distributed": {"bucket_size": \(option("bucket")), "first_bucket_size": \(option("first-bucket"))},
         "data": {"kind": "synthetic", "synthetic_images": 4, "synthetic_size": \(2 * patch + 8)}}
        """
    let config = try Config.parse(Data(json.utf8), file: "mpi-harness")
    return try Trainer(config: config, kernels: try config.kernelSettings(), communicator: comm)
}
