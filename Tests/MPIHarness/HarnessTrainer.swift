import Distributed
import Foundation
import Train

/// A `Trainer` for the harness scenarios: EDSR ×2 on generated images, configured from
/// the command line, so the scenarios run the step the product runs.
/// Options: --batch --patch --features --blocks --max-skips --bucket --first-bucket
/// --threads (defaults per scenario in `defaults`); --balance equal|measured|fixed,
/// --window, --threshold, --weights 3,1 (`distributed.balance*`).
func harnessTrainer(_ comm: Communicator, _ args: Arguments, steps: Int, defaults: [String: Int]) throws -> Trainer {
    func option(_ key: String) -> Int { args.int(key, defaults[key]!) }
    let (batch, patch) = (option("batch"), option("patch"))
    try expect(batch >= comm.size, "batch \(batch) smaller than \(comm.size) ranks")
    let weights = args.string("weights").map { ", \"balance_weights\": [\($0)]" } ?? ""
    let balance = "\"balance\": \"\(args.string("balance") ?? "equal")\", \"balance_window\": \(args.int("window", 20)), "
        + "\"balance_threshold\": \(args.double("threshold", 0.05))\(weights)"
    let json = """
        {"name": "harness",
         "model": {"scale": 2, "blocks": \(option("blocks")), "features": \(option("features"))},
         "train": {"steps": \(steps), "batch_size": \(batch), "patch_size": \(patch), "lr": 1e-3, "seed": 11,
                   "max_skipped_steps": \(option("max-skips")), "threads_per_rank": \(option("threads"))},
         "distributed": {"bucket_size": \(option("bucket")), "first_bucket_size": \(option("first-bucket")), \(balance)},
         "data": {"kind": "synthetic", "synthetic_images": 4, "synthetic_size": \(2 * patch + 8)}}
        """
    let config = try Config.parse(Data(json.utf8), file: "mpi-harness")
    return try Trainer(config: config, kernels: try config.kernelSettings(), communicator: comm)
}
