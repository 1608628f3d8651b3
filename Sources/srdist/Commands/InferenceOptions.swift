import ArgumentParser
import Checkpoint
import Kernels
import Machine
import Train

/// The options `eval` and `upscale` share: which weights, which scale, and how to run
/// inference (self-ensemble, tiling).
struct InferenceOptions: ParsableArguments {
    /// The srdist checkpoint (a file, a `latest`/`best` pointer, a run folder, or converted PyTorch weights).
    @Option(help: "Checkpoint: a .h5 file, a latest/best pointer or a run folder.")
    var checkpoint: String

    /// Upscaling factor (default: eval scores every scale the model serves, upscale uses its first).
    @Option(help: "Scale (default: eval every scale the model serves; upscale the first).")
    var scale: Int?

    /// Average the outputs of the 8 flips/rotations (the paper's "+" models).
    @Flag(help: "Geometric self-ensemble (×8, slower, slightly better).")
    var selfEnsemble = false

    /// Run inference in N×N LR tiles: memory follows the tile instead of the image.
    @Option(help: "Tile size in LR pixels (0: whole images; default: eval whole, upscale 256).")
    var tile: Int?

    /// Context pixels around each tile (default: the model's receptive-field radius, so
    /// tiled output equals whole-image output).
    @Option(help: "Tile overlap in LR pixels (default: the model's receptive-field radius).")
    var overlap: Int?

    /// Use the checkpoint's raw trained weights even when it holds a moving average
    /// of them (`train.ema_decay`); by default the EMA weights are used.
    @Flag(help: "Use the raw trained weights, not the checkpoint's EMA weights (default: EMA when present).")
    var noEma = false

    /// What the convolutions read: fp32 (default) or bf16 (refused where no bf16 engine
    /// runs, with one line naming the CPU and what it lacks). The weights stay fp32.
    @Option(help: "Convolution precision: fp32 or bf16 (bf16 needs a bf16 engine for this CPU).")
    var precision: Precision = .fp32

    /// Refuse checkpoints with more parameters (default 2^28).
    @Option(help: "Largest checkpoint in parameters (default 268435456).")
    var maxParameters = CheckpointLimits.defaultMaxParameters

    /// Bounds keep `tile + 2 × overlap` far from overflow and a tile's activations
    /// within memory (a 4096² tile of a 64-feature network is 4 GiB per tensor).
    static let maxTile = 4096, maxOverlap = 512

    func validate() throws {
        if let tile, !(0...Self.maxTile).contains(tile) { throw CommandLineError("--tile must be between 0 and \(Self.maxTile), got \(tile)") }
        if let overlap, !(0...Self.maxOverlap).contains(overlap) {
            throw CommandLineError("--overlap must be between 0 and \(Self.maxOverlap), got \(overlap)")
        }
        if maxParameters < 1 { throw CommandLineError("--max-parameters must be at least 1, got \(maxParameters)") }
    }

    /// The checkpoint bounds these flags set.
    var limits: CheckpointLimits { CheckpointLimits(maxParameters: maxParameters, isolation: CheckpointSandbox.isolation()) }

    /// The overlap to use with `trained` at `scale`.
    func overlap(_ trained: TrainedModel, scale: Int) -> Int { overlap ?? trained.model.receptiveRadius(scale: scale) }

    /// What inference runs with: every core (shared among a node's ranks) and `--precision`'s engine.
    /// - Throws: `PrecisionError` when `--precision bf16` cannot run here.
    func kernelSettings() throws -> KernelSettings {
        KernelSettings(threads: threadsPerRank(configured: 0), bf16: try precision.engine(setting: "--precision"))
    }

    /// The tile to use, given the command's default (nil: whole images).
    func tileSize(default fallback: Int?) -> Int? {
        guard let tile else { return fallback }
        return tile > 0 ? tile : nil
    }
}

extension Precision: ExpressibleByArgument {}
