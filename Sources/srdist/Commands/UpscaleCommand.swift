import ArgumentParser
import Data
import Foundation
import Kernels
import Machine
import Support
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

    /// Refuse images whose PNG header claims more pixels (default 256 Mpx).
    @Option(help: "Largest input image in pixels, checked from the PNG header (default 268435456).")
    var maxImagePixels = PNGFile.defaultMaxPixels

    func validate() throws {
        if maxImagePixels < 1 { throw CommandLineError("--max-image-pixels must be at least 1, got \(maxImagePixels)") }
    }

    func run() throws {
        _ = try startUpCheck()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isFolder) else {
            throw ValidationError("\(input): no such file or folder")
        }
        // Checked before the model is loaded, so nothing is written on a refusal.
        if isFolder.boolValue {
            try OutputPaths.requireOutside(output, folder: input, flag: "the output folder", what: "input folder")
        } else {
            try OutputPaths.requireDistinct(input: input, output: output, flag: "the output")
        }
        let kernels = KernelContext(try inference.kernelSettings())
        let trained = try TrainedModel.load(checkpoint: inference.checkpoint, limits: inference.limits, ema: !inference.noEma,
                                            kernels: kernels)
        let upscaler = try trained.upscaler(scale: inference.scale)
        if trained.usesEMA { print("\(trained.path): using its EMA weights (--no-ema for the raw ones)") }
        var jobs: [(String, String)] = [(input, output)]
        if isFolder.boolValue {
            do {
                try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            } catch {
                throw CommandLineError("\(output): cannot create the output folder (\(describeIOError(error, path: output)))")
            }
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: input) } catch {
                throw CommandLineError("\(input): cannot list the input folder (\(describeIOError(error)))")
            }
            jobs = names.filter { $0.lowercased().hasSuffix(".png") }.sorted().map { ("\(input)/\($0)", "\(output)/\($0)") }
        }
        for (src, dst) in jobs {
            let start = Date()
            let lr = try PNGFile.read(src, maxPixels: maxImagePixels)
            let out = upscaler.upscale(lr.planar(), h: lr.height, w: lr.width, tile: inference.tileSize(default: 256),
                                       overlap: inference.overlap(trained, scale: upscaler.scale), selfEnsemble: inference.selfEnsemble)
            let s = upscaler.scale
            let sr: RGBImage
            do {
                sr = try out.withUnsafeBufferPointer { try RGBImage(planar: $0.baseAddress!, width: lr.width * s, height: lr.height * s) }
            } catch {
                throw CommandLineError("\(src): \(describe(error))")
            }
            try PNGFile.write(sr, to: dst)
            print(String(format: "%@ → %@ (%d×%d → %d×%d, %.2f s)", src, dst, lr.width, lr.height, sr.width, sr.height,
                         Date().timeIntervalSince(start)))
        }
    }
}
