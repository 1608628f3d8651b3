import ArgumentParser
import Data
import Machine
import Foundation

/// `srdist make-lr HR_DIR OUT_DIR --scales 2,3,4`: a benchmark-layout set from a folder
/// of HR photos, its LR images made with srdist's MATLAB-exact bicubic.
struct MakeLRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make-lr",
        abstract: "Make a benchmark-layout set (OUT/HR, OUT/LR_bicubic/X<s>) from a folder of HR PNG/JPEG images with MATLAB's bicubic.",
        discussion: """
        Writes OUT_DIR/HR/<name>.png and OUT_DIR/LR_bicubic/X<s>/<name>x<s>.png, the layout of Set5 and of \
        EDSR-PyTorch's benchmark archive: each LR image is MATLAB's imresize(hr, 1/s, 'bicubic') of the HR \
        cropped to a multiple of s, floor(HR/s) in size. No existing file is replaced. With --degradation unknown \
        the LR images go to OUT_DIR/LR_unknown/X<s>, blurred first by a fixed Gaussian (sigma = s/2 HR pixels): \
        a stand-in for DIV2K's unknown track, for trying that track's configs.
        """)

    /// Folder of HR PNG or JPEG images (read, never written).
    @Argument(help: ArgumentHelp("Folder of HR PNG or JPEG images.", valueName: "HR_DIR"))
    var hrFolder: String

    /// Folder the set is written to (created; must not hold any of the files to write).
    @Argument(help: ArgumentHelp("Output folder (gets HR/ and LR_bicubic/X<s>/).", valueName: "OUT_DIR"))
    var outFolder: String

    /// Comma-separated scales, e.g. 2,3,4.
    @Option(help: "Scales, comma-separated (2…8).")
    var scales = "2,3,4"

    /// Cut every HR image to a multiple of all the scales (DIV2K's convention) instead of writing it as read.
    @Flag(help: "Write each HR image cut to a multiple of every scale (so HR = s × LR exactly).")
    var cropHR = false

    /// `unknown` writes LR_unknown/X<s> with a fixed Gaussian blur before the bicubic.
    @Option(help: "LR images: bicubic, or unknown (a fixed Gaussian blur before the bicubic, in LR_unknown/X<s>).")
    var degradation: Degradation = .bicubic

    /// Refuse images whose header claims more pixels (default 256 Mpx).
    @Option(help: "Largest input image in pixels, checked from the PNG or JPEG header (default 268435456).")
    var maxImagePixels = PNGFile.defaultMaxPixels

    /// No progress lines.
    @Flag(help: "Print only the summary line.")
    var quiet = false

    /// The `--scales` list, parsed.
    var scaleList: [Int] {
        get throws {
            let parts = scales.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, parts.allSatisfy({ $0.map { (2...8).contains($0) } ?? false }) else {
                throw CommandLineError("--scales: expected a comma-separated list of scales from 2 to 8, e.g. 2,3,4; got '\(scales)'")
            }
            let list = parts.map { $0! }
            guard Set(list).count == list.count else { throw CommandLineError("--scales: '\(scales)' names a scale twice") }
            return list
        }
    }

    func validate() throws {
        _ = try scaleList
        if maxImagePixels < 1 { throw CommandLineError("--max-image-pixels must be at least 1, got \(maxImagePixels)") }
    }

    func run() throws {
        try OutputPaths.requireOutside(outFolder, folder: hrFolder, flag: "OUT_DIR", what: "HR folder")
        for written in ["HR", degradation.folder] {
            let folder = (outFolder as NSString).appendingPathComponent(written)
            let (i, f) = (OutputPaths.resolved(hrFolder), OutputPaths.resolved(folder))
            if i == f || i.hasPrefix(f + "/") {
                throw CommandLineError("\(hrFolder): HR_DIR lies inside \(folder), which make-lr writes into; copy the images elsewhere first")
            }
        }
        let writer = LRSetWriter(input: hrFolder, output: outFolder, scales: try scaleList, cropHR: cropHR, maxImagePixels: maxImagePixels,
                                  degradation: degradation)
        let names = try writer.plan()
        let start = Date()
        try writer.write(names, threads: threadsPerRank(configured: 0)) { done, total, line in
            if !quiet { print("[\(done)/\(total)] \(line)") }
        }
        print(String(format: "wrote %d images to %@/HR with LR images in %@/%@/%@ (%.1f s)", names.count, outFolder, outFolder, degradation.folder,
                     try scaleList.map { "X\($0)" }.joined(separator: ", "), Date().timeIntervalSince(start)))
    }
}
