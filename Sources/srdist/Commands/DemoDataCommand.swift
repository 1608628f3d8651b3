import ArgumentParser
import Data

/// `srdist demo-data DIR`: writes the built-in demo image set to disk, laid out like a
/// benchmark set, for trying `eval`, `upscale` and file-based training without a download.
struct DemoDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "Write generated test images as a benchmark-style set (DIR/HR, DIR/LR_bicubic/X2…X4).")

    /// Folder to create.
    @Argument(help: "Output folder.")
    var folder: String

    /// Number of images.
    @Option(help: "Number of images.")
    var count = 8

    /// Side of each square HR image (a multiple of 12 keeps every scale exact).
    @Option(help: "HR image side in pixels.")
    var size = 144

    /// Index of the first generated image: past the training images of a synthetic config, the set is held out.
    @Option(help: "Index of the first generated image (use one past the training images for a held-out set).")
    var first = 1000

    /// Seed of the image stream (a synthetic config's train.seed gives its images).
    @Option(help: "Seed of the image stream.")
    var seed = 1

    func validate() throws {
        guard count >= 1, size >= 16, first >= 0, seed >= 0 else {
            throw ValidationError("--count must be ≥ 1, --size ≥ 16, --first and --seed ≥ 0")
        }
    }

    func run() throws {
        try SyntheticImages.writeBenchmark(root: folder, count: count, first: first, size: size, scales: [2, 3, 4], seed: UInt64(seed))
        print("wrote \(count) images to \(folder)/HR with LR images in \(folder)/LR_bicubic/X2, X3, X4")
    }
}
