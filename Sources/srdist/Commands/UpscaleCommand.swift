import ArgumentParser
import Data
import Distributed
import Foundation
import Kernels
import Train

/// `srdist upscale IN OUT --checkpoint CK`: super-resolves one PNG, or every PNG of a folder.
struct UpscaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upscale", abstract: "Super-resolve a PNG (or a folder of PNGs) with a checkpoint.")

    /// Input PNG, or a folder of PNGs.
    @Argument(help: "Input PNG or folder.")
    var input: String

    /// Output PNG, or a folder (created) when the input is a folder.
    @Argument(help: "Output PNG, or output folder for a folder input.")
    var output: String

    /// The srdist checkpoint (or converted PyTorch weights).
    @Option(help: "Checkpoint file (.h5).")
    var checkpoint: String

    /// Upscaling factor (default: the model's).
    @Option(help: "Scale (default: the model's).")
    var scale: Int?

    /// Average the outputs of the 8 flips/rotations.
    @Flag(help: "Geometric self-ensemble (×8, slower, slightly better).")
    var selfEnsemble = false

    /// Tile size in LR pixels; bounds memory on large images.
    @Option(help: "Tile size in LR pixels (default 256; 0: whole image).")
    var tile = 256

    /// Context pixels around each tile.
    @Option(help: "Tile overlap in LR pixels.")
    var overlap = 16

    func validate() throws {
        if tile < 0 { throw ValidationError("--tile must not be negative") }
        if overlap < 0 { throw ValidationError("--overlap must not be negative") }
    }

    func run() throws {
        Threads.configure(threadsPerRank(configured: 0))
        let trained = try TrainedModel.load(checkpoint: checkpoint)
        let upscaler = try trained.upscaler(scale: scale)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isFolder) else {
            throw ValidationError("\(input): no such file or folder")
        }
        var jobs: [(String, String)] = [(input, output)]
        if isFolder.boolValue {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            jobs = try FileManager.default.contentsOfDirectory(atPath: input).filter { $0.lowercased().hasSuffix(".png") }.sorted()
                .map { ("\(input)/\($0)", "\(output)/\($0)") }
        }
        for (src, dst) in jobs {
            let start = Date()
            let lr = try PNGFile.read(src)
            let out = upscaler.upscale(lr.planar(), h: lr.height, w: lr.width, tile: tile > 0 ? tile : nil,
                                       overlap: overlap, selfEnsemble: selfEnsemble)
            let s = upscaler.scale
            let sr = out.withUnsafeBufferPointer { RGBImage(planar: $0.baseAddress!, width: lr.width * s, height: lr.height * s) }
            try PNGFile.write(sr, to: dst)
            print(String(format: "%@ → %@ (%d×%d → %d×%d, %.2f s)", src, dst, lr.width, lr.height, sr.width, sr.height,
                         Date().timeIntervalSince(start)))
        }
    }
}
