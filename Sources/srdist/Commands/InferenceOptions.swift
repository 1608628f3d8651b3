import ArgumentParser

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

    /// Context pixels around each tile.
    @Option(help: "Tile overlap in LR pixels.")
    var overlap = 16

    func validate() throws {
        if let tile, tile < 0 { throw ValidationError("--tile must not be negative") }
        if overlap < 0 { throw ValidationError("--overlap must not be negative") }
    }

    /// The tile to use, given the command's default (nil: whole images).
    func tileSize(default fallback: Int?) -> Int? {
        guard let tile else { return fallback }
        return tile > 0 ? tile : nil
    }
}
