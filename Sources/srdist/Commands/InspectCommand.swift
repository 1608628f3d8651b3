import ArgumentParser
import Checkpoint
import Kernels
import ONNX
import Train

/// `srdist inspect FILE [--json]` and `srdist inspect --diff A B [--top N] [--json]`:
/// a checkpoint's header and per-tensor statistics, or the largest per-tensor
/// differences between two checkpoints. `srdist inspect MODEL.onnx [--against CK]`: an
/// ONNX model's inputs, outputs, opset, nodes and parameters, checked against a checkpoint.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a checkpoint's header and tensor statistics, or compare two checkpoints.",
        discussion: "Prints model, scales, step, stage, world size and parameter count, then each tensor's "
            + "shape, mean, std, min and max. With --diff A B, lists the tensors that differ most. "
            + "An .onnx file: its inputs, outputs, opset, node and parameter counts; --against CK checks its weights.")

    @Argument(help: "A checkpoint file (two with --diff), or an .onnx file.")
    var files: [String]

    @Flag(help: "Compare two checkpoints: the largest per-tensor differences first.")
    var diff = false

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(help: "With --diff, how many tensors to list.")
    var top = 20

    /// With an .onnx file: the checkpoint its weights must equal, bit for bit (the EMA
    /// or raw weights, as the file's `srdist.weights` says; EMA when it does not say).
    @Option(help: "With an .onnx file: check that its weights are this checkpoint's.")
    var against: String?

    /// Show a checkpoint whose tensors hold NaN or ±∞ (counted per tensor) instead of refusing it.
    @Flag(help: "Read checkpoints with NaN or infinite values (they are counted per tensor).")
    var allowNonFinite = false

    /// Refuse checkpoints with more parameters (default 2^28).
    @Option(help: "Largest checkpoint in parameters (default 268435456).")
    var maxParameters = CheckpointLimits.defaultMaxParameters

    func validate() throws {
        if diff {
            guard files.count == 2 else { throw ValidationError("--diff needs exactly two checkpoint files, got \(files.count)") }
        } else {
            guard files.count == 1 else { throw ValidationError("expected one checkpoint file (or --diff A B), got \(files.count)") }
        }
        if against != nil, diff || !isONNX { throw ValidationError("--against needs one .onnx file") }
        if json, isONNX { throw ValidationError("--json is not available for .onnx files") }
        guard top >= 1 else { throw ValidationError("--top must be at least 1, got \(top)") }
        guard maxParameters >= 1 else { throw CommandLineError("--max-parameters must be at least 1, got \(maxParameters)") }
    }

    /// The one file is an ONNX model (by its extension: the two formats share no magic number to sniff).
    var isONNX: Bool { !diff && files.count == 1 && files[0].lowercased().hasSuffix(".onnx") }

    func run() throws {
        CheckpointSandbox.capChildMemory()
        let limits = CheckpointLimits(maxParameters: maxParameters, allowNonFinite: allowNonFinite, isolation: CheckpointSandbox.isolation())
        if isONNX { return try inspectONNX(limits: limits) }
        let checkpoints = try files.map { try CheckpointFile.read(path: try CheckpointStore.locate($0), limits: limits) }
        if diff {
            let d = CheckpointDiff(checkpoints[0], checkpoints[1], fileA: files[0], fileB: files[1])
            print(json ? d.json : d.text(top: top))
        } else {
            let summary = CheckpointSummary(checkpoints[0], file: files[0])
            print(json ? summary.json : summary.text)
        }
    }

    private func inspectONNX(limits: CheckpointLimits) throws {
        let summary = try ONNXSummary(path: files[0])
        print(summary.text)
        guard let against else { return }
        let ema = summary.metadata["srdist.weights"] != "raw"
        let trained = try TrainedModel.load(checkpoint: against, limits: limits, ema: ema, kernels: KernelContext())
        let scale = try summary.requireWeights(of: trained.model, checkpoint: trained.path)
        print("matches \(trained.path): ×\(scale), \(trained.usesEMA ? "EMA" : "raw") weights, "
              + "\(summary.initializers.count) tensors and \(summary.parameterCount) parameters bit-identical")
    }
}
