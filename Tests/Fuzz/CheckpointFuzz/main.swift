import Checkpoint
import Foundation
import FuzzSupport
import Train

// Any file must load as a model (as `eval`/`upscale` do: header, stored config, tensor
// list checked against the network, then data) or throw one error line, never crash or
// allocate past the lowered parameter limit. HDF5 reads from a path, so each input
// goes through one file in /dev/shm.
let path = "/dev/shm/srdist-fuzz-\(getpid()).h5"
runFuzzer { data, size in
    guard FileManager.default.createFile(atPath: path, contents: Data(fuzzInput(data, size))) else { return 0 }
    _ = try? TrainedModel.load(checkpoint: path, limits: CheckpointLimits(maxParameters: 1 << 22))
    _ = try? CheckpointFile.read(path: path, limits: CheckpointLimits(maxParameters: 1 << 22, allowNonFinite: true))
    return 0
}
