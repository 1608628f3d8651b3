import Distributed
import Foundation
import Train

extension Trainer {
    /// A single-process trainer (MPI singleton), as `srdist` without mpirun.
    convenience init(config: Config) throws {
        try self.init(config: config, kernels: try config.kernelSettings(), communicator: Communicator.initialize(threadLevel: .multiple))
    }

    /// Runs step `t` and returns its loss; fails the test on an error.
    func loss(at t: Int) throws -> Double { try step(t).loss }
}

/// A 1-block, 8-feature EDSR ×2 on 4 generated 32-pixel images, batch 4 of 8-pixel
/// patches, with `train` keys added (e.g. `"grad_clip": 2`): a step takes milliseconds.
func miniConfig(_ train: String) throws -> Config {
    try Config.parse(Data("""
    {"name": "mini", "model": {"scale": 2, "blocks": 1, "features": 8},
     "train": {"batch_size": 4, "patch_size": 8, \(train)},
     "data": {"kind": "synthetic", "synthetic_images": 4, "synthetic_size": 32}}
    """.utf8), file: "mini.json")
}
