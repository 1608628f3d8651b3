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

    @OptionGroup var inference: InferenceOptions

    func run() throws {
        _ = try startUpCheck()
        Threads.configure(threadsPerRank(configured: 0))
        let trained = try TrainedModel.load(checkpoint: inference.checkpoint)
        let upscaler = try trained.upscaler(scale: inference.scale)
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
            let out = upscaler.upscale(lr.planar(), h: lr.height, w: lr.width, tile: inference.tileSize(default: 256),
                                       overlap: inference.overlap, selfEnsemble: inference.selfEnsemble)
            let s = upscaler.scale
            let sr = out.withUnsafeBufferPointer { RGBImage(planar: $0.baseAddress!, width: lr.width * s, height: lr.height * s) }
            try PNGFile.write(sr, to: dst)
            print(String(format: "%@ → %@ (%d×%d → %d×%d, %.2f s)", src, dst, lr.width, lr.height, sr.width, sr.height,
                         Date().timeIntervalSince(start)))
        }
    }
}
