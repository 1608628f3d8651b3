import Checkpoint
import Foundation
import FuzzSupport
import Kernels
import Train

// Any file must load as a model (as `eval`/`upscale`/`--resume` do: a child reads it
// first, then header, stored config, tensor list checked against the network, then
// data) or throw one error line, never crash or allocate past the lowered parameter
// limit. HDF5 reads from a path, so each input goes through one file in /dev/shm.
//
// This program is also its own child: `checkpoint-fuzz inspect FILE --allow-non-finite
// --max-parameters N` reads FILE in process, as `srdist inspect` does for srdist. A
// crash there (libhdf5's own, Tests/Fuzz/Findings/libhdf5) is the child's; the fuzzer
// reports what reaches the reading process.
let arguments = CommandLine.arguments
if arguments.count == 6, arguments[1] == "inspect", let maxParameters = Int(arguments[5]) {
    do {
        _ = try CheckpointFile.read(path: arguments[2], limits: CheckpointLimits(maxParameters: maxParameters, allowNonFinite: true))
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("Error: \((error as? LocalizedError)?.errorDescription ?? "\(error)")\n".utf8))
        exit(1)
    }
}

let path = "/dev/shm/srdist-fuzz-\(getpid()).h5"
let limits = CheckpointLimits(maxParameters: 1 << 22, isolation: .child(executable: "/proc/self/exe"))
runFuzzer { data, size in
    guard FileManager.default.createFile(atPath: path, contents: Data(fuzzInput(data, size))) else { return 0 }
    _ = try? TrainedModel.load(checkpoint: path, limits: limits, kernels: KernelContext())
    var inspecting = limits
    inspecting.allowNonFinite = true
    _ = try? CheckpointFile.read(path: path, limits: inspecting)
    return 0
}
