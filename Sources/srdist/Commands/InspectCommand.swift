import ArgumentParser
import Checkpoint

/// `srdist inspect FILE [--json]` and `srdist inspect --diff A B [--top N] [--json]`:
/// a checkpoint's header and per-tensor statistics, or the largest per-tensor
/// differences between two checkpoints.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a checkpoint's header and tensor statistics, or compare two checkpoints.",
        discussion: "Prints model, scales, step, stage, world size and parameter count, then each tensor's "
            + "shape, mean, std, min and max. With --diff A B, lists the tensors that differ most.")

    @Argument(help: "A checkpoint file (two with --diff).")
    var files: [String]

    @Flag(help: "Compare two checkpoints: the largest per-tensor differences first.")
    var diff = false

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(help: "With --diff, how many tensors to list.")
    var top = 20

    func validate() throws {
        if diff {
            guard files.count == 2 else { throw ValidationError("--diff needs exactly two checkpoint files, got \(files.count)") }
        } else {
            guard files.count == 1 else { throw ValidationError("expected one checkpoint file (or --diff A B), got \(files.count)") }
        }
        guard top >= 1 else { throw ValidationError("--top must be at least 1, got \(top)") }
    }

    func run() throws {
        if diff {
            let a = try CheckpointFile.read(path: try CheckpointStore.locate(files[0])), b = try CheckpointFile.read(path: try CheckpointStore.locate(files[1]))
            let d = CheckpointDiff(a, b, fileA: files[0], fileB: files[1])
            print(json ? d.json : d.text(top: top))
        } else {
            let summary = CheckpointSummary(try CheckpointFile.read(path: try CheckpointStore.locate(files[0])), file: files[0])
            print(json ? summary.json : summary.text)
        }
    }
}
