import ArgumentParser
import Checkpoint
import Foundation
import Kernels
import ONNX
import Support
import Train

extension InputRange: ExpressibleByArgument {}

/// `srdist export CHECKPOINT OUT.onnx`: the trained network as an ONNX model that ONNX
/// Runtime, OpenVINO, TensorRT and others run without srdist (see `SuperResolutionGraph`).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a checkpoint's network as an ONNX model (one file per scale for MDSR).",
        discussion: "The graph takes RGB [1, 3, H, W] of any H and W and returns [1, 3, sH, sW] in the same range; "
            + "mean shift, residual scaling and pixel shuffle (DepthToSpace, CRD) are inside it. ONNX opset "
            + "\(SuperResolutionGraph.opset), IR version \(SuperResolutionGraph.irVersion), float32 weights. An MDSR "
            + "checkpoint without --scale gives one file per scale, OUT_x2.onnx, OUT_x3.onnx, ….")

    /// The srdist checkpoint (a file, a `latest`/`best` pointer, a run folder, or converted PyTorch weights).
    @Argument(help: "Checkpoint: a .h5 file, a latest/best pointer or a run folder.")
    var checkpoint: String

    /// The ONNX file to write (with MDSR and no `--scale`, the stem of one file per scale).
    @Argument(help: "Output .onnx file (MDSR without --scale: OUT_x2.onnx, OUT_x3.onnx, …).")
    var output: String

    /// The one scale to export (default: EDSR its scale, MDSR every scale).
    @Option(help: "Scale to export (default: every scale the model serves, one file each).")
    var scale: Int?

    /// The pixel range the graph reads and writes: 255 as srdist computes, or 1.
    @Option(help: "Pixel range of the graph's input and output: 255 (srdist's own) or 1.")
    var inputRange = InputRange.byte

    /// Export the raw trained weights even when the checkpoint holds their moving average.
    @Flag(help: "Use the raw trained weights, not the checkpoint's EMA weights (default: EMA when present).")
    var noEma = false

    /// Refuse checkpoints with more parameters (default 2^28).
    @Option(help: "Largest checkpoint in parameters (default 268435456).")
    var maxParameters = CheckpointLimits.defaultMaxParameters

    func validate() throws {
        if maxParameters < 1 { throw CommandLineError("--max-parameters must be at least 1, got \(maxParameters)") }
    }

    func run() throws {
        let start = Date()
        let trained = try TrainedModel.load(checkpoint: checkpoint, limits: CheckpointLimits(maxParameters: maxParameters, isolation: CheckpointSandbox.isolation()),
                                            ema: !noEma, kernels: KernelContext())
        let scales = try scale.map { [try trained.upscaler(scale: $0).scale] } ?? trained.spec.scales
        let files = scales.count == 1 ? [(scales[0], output)] : scales.map { ($0, Self.path(output, scale: $0)) }
        // Every output is checked before any is written: a refusal leaves nothing behind.
        for (_, file) in files { try OutputPaths.requireDistinct(input: trained.path, output: file, flag: "the output") }
        if trained.usesEMA { print("\(trained.path): using its EMA weights (--no-ema for the raw ones)") }
        for (s, file) in files {
            let metadata = [("srdist.arch", trained.spec.arch.rawValue), ("srdist.scale", String(s)),
                            ("srdist.input_range", String(inputRange.rawValue)), ("srdist.weights", trained.usesEMA ? "ema" : "raw"),
                            ("srdist.step", String(trained.step))]
            let bytes = SuperResolutionGraph.encode(trained.model, scale: s, inputRange: inputRange, metadata: metadata)
            try FileDoor.writeAtomically(bytes, to: file, what: "ONNX model")
            print(String(format: "%@ → %@ (%@ ×%d, input range 0…%d, %.1f MB, %.2f s)", trained.path, file, trained.spec.arch.rawValue.uppercased(),
                         s, inputRange.rawValue, Double(bytes.count) / 1e6, Date().timeIntervalSince(start)))
        }
    }

    /// `out.onnx` → `out_x2.onnx` (the suffix goes before a `.onnx` extension, else at the end).
    static func path(_ output: String, scale: Int) -> String {
        let suffix = "_x\(scale)"
        guard output.lowercased().hasSuffix(".onnx") else { return output + suffix }
        return String(output.dropLast(5)) + suffix + String(output.suffix(5))
    }
}
