import ArgumentParser
import Data
import Machine

/// `srdist demo-data DIR`: writes the built-in demo image set to disk, laid out like a
/// benchmark set (or a DIV2K tree), for trying `eval`, `upscale` and file-based
/// training without a download, and for the data-scale benchmark.
struct DemoDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "Write generated test images as a benchmark-style set (DIR/HR, DIR/LR_bicubic/X2…X4) or a DIV2K tree.",
        discussion: """
        With --degradation unknown the LR folders are LR_unknown (DIV2K_train_LR_unknown): a stand-in for DIV2K's \
        unknown track, a Gaussian blur of sigma = scale/2 HR pixels before MATLAB's bicubic.
        """)

    /// The folder layout to write.
    enum Layout: String, ExpressibleByArgument { case benchmark, div2k }

    /// Folder to create.
    @Argument(help: "Output folder.")
    var folder: String

    /// Number of images.
    @Option(help: "Number of images.")
    var count = 8

    /// `benchmark` (HR/, LR_bicubic/X2…) or `div2k` (DIV2K_train_HR/, DIV2K_train_LR_bicubic/X2…, images numbered from 0001).
    @Option(help: "Layout: benchmark or div2k.")
    var layout: Layout = .benchmark

    /// Side of each square HR image (a multiple of 12 keeps every scale exact).
    @Option(help: "HR image side in pixels.")
    var size = 144

    /// DIV2K-sized images instead of squares: 2040 pixels on the long side, DIV2K's mix of shapes (div2k layout only).
    @Flag(help: "DIV2K-sized images (2040 on the long side, DIV2K's mix of shapes); div2k layout only.")
    var div2kShapes = false

    /// `unknown` writes unknown-track-style LR folders (a fixed blur before the bicubic) instead of bicubic ones.
    @Option(help: "LR images: bicubic, or unknown (a fixed Gaussian blur before the bicubic, in LR_unknown folders).")
    var degradation: Degradation = .bicubic

    /// Index of the first generated image: past the training images of a synthetic config, the set is held out.
    @Option(help: "Index of the first generated image (use one past the training images for a held-out set).")
    var first = 1000

    /// Seed of the image stream (a synthetic config's train.seed gives its images).
    @Option(help: "Seed of the image stream.")
    var seed = 1

    func validate() throws {
        guard count >= 1, count <= 100_000, (16...8192).contains(size), first >= 0, seed >= 0 else {
            throw ValidationError("--count must be 1…100000, --size 16…8192, --first and --seed ≥ 0")
        }
        if div2kShapes && layout != .div2k { throw ValidationError("--div2k-shapes needs --layout div2k") }
    }

    func run() throws {
        switch layout {
        case .benchmark:
            try SyntheticImages.writeBenchmark(root: folder, count: count, first: first, size: size, scales: [2, 3, 4], seed: UInt64(seed),
                                               degradation: degradation)
            print("wrote \(count) images to \(folder)/HR with LR images in \(folder)/\(degradation.folder)/X2, X3, X4")
        case .div2k:
            // Thousands of 2040-pixel images take minutes: use every core.
            try SyntheticImages.writeDIV2K(root: folder, count: count, size: div2kShapes ? nil : size, scales: [2, 3, 4],
                                           seed: UInt64(seed), threads: threadsPerRank(configured: 0), degradation: degradation)
            print("wrote \(count) images to \(folder)/DIV2K_train_HR with LR images in \(folder)/DIV2K_train_\(degradation.folder)/X2, X3, X4")
        }
    }
}
