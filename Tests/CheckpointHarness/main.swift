// A child process for CheckpointTests: saves checkpoints into a folder so the test
// can kill it mid-save, or limit its file size to simulate a full disk.
//
//     checkpoint-harness save-loop DIR FLOATS          saves steps 1, 2, 3, … forever,
//                                                      printing "saved N" after each
//     checkpoint-harness save-capped DIR FLOATS STEP MAXBYTES
//                                                      saves STEP with files capped at
//                                                      MAXBYTES (a full disk), printing
//                                                      any error to stderr, then lifts
//                                                      the cap and saves STEP+1 as a run
//                                                      that continues would
//
// Checkpoint N holds the value N in every parameter and both Adam moments, so the
// test can tell a whole checkpoint from a mixed or damaged one.
import Checkpoint
import Foundation
import Models

func contents(step: Int, floats: Int) -> CheckpointContents {
    var layout = ParameterLayout()
    // A few tensors of different sizes, like a model's weights and biases.
    let big = max(floats / 4, 1)
    for i in 0..<3 { layout.add("body.\(i).weight", [big]) }
    layout.add("tail.bias", [max(floats - 3 * big, 1)])
    let values = [Float](repeating: Float(step), count: layout.count)
    return CheckpointContents(model: "edsr", scales: [2], step: step, stage: "harness", worldSize: 1, configJSON: "{}",
                              layout: layout, params: values,
                              optimizer: OptimizerState(m: values, v: values, steps: ["shared": step], learningRate: 1e-4),
                              state: TrainingState(dataStep: step, rngSeed: 7))
}

let args = CommandLine.arguments
guard args.count >= 4, let floats = Int(args[3]) else {
    FileHandle.standardError.write(Data("usage: checkpoint-harness save-loop|save-capped DIR FLOATS [STEP MAXBYTES]\n".utf8))
    exit(2)
}
let store = CheckpointStore(directory: args[2], keepLast: 2)
switch args[1] {
case "save-loop":
    for step in 1... {
        do { try store.save(contents(step: step, floats: floats)) } catch {
            FileHandle.standardError.write(Data("\(error.localizedDescription)\n".utf8))
            exit(1)
        }
        print("saved \(step)")
        fflush(stdout)
    }
case "save-capped" where args.count == 6:
    let step = Int(args[4])!
    // rlim_t.max is RLIM_INFINITY, a macro Swift imports with the wrong sign.
    var limit = rlimit(rlim_cur: rlim_t(args[5])!, rlim_max: rlim_t.max)
    setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit)
    // Past the limit, writes then fail with EFBIG instead of killing the process.
    signal(SIGXFSZ, SIG_IGN)
    do { try store.save(contents(step: step, floats: floats)) } catch {
        FileHandle.standardError.write(Data("\(error.localizedDescription)\n".utf8))
    }
    limit.rlim_cur = rlim_t.max
    setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit)
    do { try store.save(contents(step: step + 1, floats: floats)) } catch {
        FileHandle.standardError.write(Data("after lifting the cap: \(error.localizedDescription)\n".utf8))
        exit(1)
    }
default:
    FileHandle.standardError.write(Data("checkpoint-harness: unknown command \(args[1])\n".utf8))
    exit(2)
}
