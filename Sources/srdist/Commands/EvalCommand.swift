import ArgumentParser
import Data
import Distributed
import Foundation
import Kernels
import Machine
import Metrics
import Train

/// `srdist eval --checkpoint CK --data PATH --scale S`: PSNR/SSIM per image and mean,
/// next to bicubic upsampling's, with the paper's protocol.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score a checkpoint on an image set (PSNR/SSIM, and bicubic as the floor).",
        discussion: """
        PATH is a benchmark set (PATH/HR + PATH/LR_bicubic/X<s>), a DIV2K root (DIV2K_train_HR, …) or a plain \
        folder of HR images (LR made with MATLAB-style bicubic); with --lr, a folder of HR images paired with \
        the LR images of --lr by --filename-template. --degradation unknown reads DIV2K's LR_unknown folders \
        (a benchmark set's LR_unknown). Benchmark sets, folders and pairs are scored on Y with <scale> pixels \
        shaved; DIV2K on RGB with <scale>+6 shaved (the paper's protocol).
        """)

    @OptionGroup var inference: InferenceOptions

    /// Image set folder (layout detected, see the discussion).
    @Option(help: "Image set folder.")
    var data: String

    /// The LR images of a DIV2K root or benchmark set: `bicubic` (track 1) or `unknown` (DIV2K's track 2).
    @Option(help: "LR images of a DIV2K root or benchmark set: bicubic or unknown.")
    var degradation: Degradation = .bicubic

    /// The user's LR images for the HR images of PATH (`{scale}` in it for one folder per scale).
    @Option(help: ArgumentHelp("Folder of LR images paired with the HR images of PATH ({scale} allowed).", valueName: "folder"))
    var lr: String?

    /// An LR image's name without extension for `--lr`: `{stem}` (the HR name) and `{scale}`.
    @Option(help: "LR file name without extension for --lr, e.g. {stem}x{scale} (default {stem}).")
    var filenameTemplate = PairedFolders.defaultTemplate

    /// DIV2K images to score, e.g. 801-900 (DIV2K roots only).
    @Option(help: "DIV2K image range, e.g. 801-900 (default 801-900).")
    var range: String?

    /// Write the model's outputs as PNG here.
    @Option(help: "Folder to write the upscaled PNGs to.")
    var save: String?

    /// Write the LR inputs the model was given as PNG here (`<name>x<s>.png`): the MATLAB-exact bicubic LR of a folder of HR images.
    @Option(help: "Folder to write the LR input images to (<name>x<s>.png).")
    var saveLR: String?

    /// Write an HTML report here: `index.html` with per-image scores and crops (bicubic | srdist | HR), and the run's curves.
    @Option(help: "Folder to write an HTML report to (index.html, crops/).")
    var report: String?

    /// Folder for decoded-image cache files (default: PATH/srdist_cache).
    @Option(help: "Decoded-image cache folder.")
    var cacheDir: String?

    /// Under mpirun, how many ranks of each node compute tiles (0: the node's cores over
    /// the threads per rank, so oversubscribed ranks do not each hold a tile's activations).
    @Option(help: ArgumentHelp("Ranks per node that compute tiles under mpirun (0: cores ÷ threads per rank).", valueName: "n"))
    var ranksPerNode = 0

    /// Print JSON instead of a table.
    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard ranksPerNode >= 0 else { throw ValidationError("--ranks-per-node: expected 0 or more, got \(ranksPerNode)") }
        if let problem = PairedFolders.problem(template: filenameTemplate) {
            throw CommandLineError("--filename-template \(problem), got '\(filenameTemplate)'")
        }
        if lr != nil && degradation != .bicubic { throw CommandLineError("--degradation applies to DIV2K roots and benchmark sets, not to --lr pairs") }
    }

    func run() throws {
        _ = try startUpCheck()
        for (flag, folder) in [("--save", save), ("--save-lr", saveLR), ("--report", report)] {
            if let folder { try OutputPaths.requireOutside(folder, folder: data, flag: flag, what: "data folder") }
        }
        // Under mpirun the ranks share every image's tiles (a singleton without it).
        let comm = try Communicator.initialize(threadLevel: .multiple)
        do {
            try evaluateAll(comm: comm)
        } catch {
            throw settled(error, on: comm)
        }
        try Communicator.finalize()
    }

    /// Loads the model on every rank, scores each scale, and (rank 0) prints and writes the report.
    func evaluateAll(comm: Communicator) throws {
        let kernels = KernelContext(try comm.failTogether { try inference.kernelSettings() })
        let computing = try comm.firstRanksOnEachHost(computingRanksPerNode(configured: ranksPerNode, threadsPerRank: kernels.threads))
        let trained = try comm.failTogether {
            try TrainedModel.load(checkpoint: inference.checkpoint, limits: inference.limits, ema: !inference.noEma, kernels: kernels)
        }
        // An MDSR checkpoint is scored at every scale it serves unless --scale picks one.
        let scales = inference.scale.map { [$0] } ?? trained.spec.scales
        let root = comm.rank == 0
        if root, let saveLR { try createFolder(saveLR) }
        let pages = try root ? report.map { try EvaluationReport(folder: $0) } : nil
        let documents = try scales.map { try evaluateScale(trained, scale: $0, threads: kernels.threads, comm: comm, computing: computing, report: pages) }
        guard root else { return }
        if let pages {
            let path = try writeReport(pages, trained: trained, documents: documents)
            if !json { print("report: \(path)") }
        }
        if json {
            let out: Any = documents.count == 1 ? documents[0] : ["checkpoint": inference.checkpoint, "scales": documents]
            print(String(decoding: try JSONSerialization.data(withJSONObject: out, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
        }
    }

    /// Scores one scale; prints the table unless `json`, and returns the JSON document.
    func evaluateScale(_ trained: TrainedModel, scale s: Int, threads: Int, comm: Communicator, computing: [Int],
                       report: EvaluationReport?) throws -> [String: Any] {
        let upscaler = try trained.upscaler(scale: s)
        let (layout, evaluation): (DatasetLayout, EvaluationProtocol) = lr != nil ? (.paired, .benchmark(scale: s)) : detectLayout(data, scale: s)
        var rangeValue: ClosedRange<Int>? = layout == .div2k ? 801...900 : nil
        if let range {
            guard let r = DataRange(range) else { throw ValidationError("--range: expected FIRST-LAST (at most \(DataRange.maxIndex)), got \(range)") }
            rangeValue = r.train
        }
        let dataset = Dataset(layout: layout, root: data, generateLR: layout == .folder, cacheDir: cacheDir, degradation: degradation,
                              paired: lr.map { PairedFolders(lrRoot: $0, template: filenameTemplate) })
        let pairs = try comm.failTogether { try dataset.load(scale: s, range: rangeValue, threads: threads) }
            .map { ImagePair(name: (($0.name as NSString).lastPathComponent as NSString).deletingPathExtension, hr: $0.hr, lr: $0.lr, scale: s) }
        // The report and the LR images need every image's pictures on rank 0.
        let scoring: ScoringRanks = report != nil || saveLR != nil ? .root : .spread
        let results = try evaluate(upscaler, on: pairs, by: evaluation, selfEnsemble: inference.selfEnsemble,
                                   tile: inference.tileSize(default: nil), overlap: inference.overlap(trained, scale: s),
                                   computing: computing, save: save,
                                   threads: threads, comm: comm, scoring: scoring, each: { image in
            if let saveLR { try PNGFile.write(image.lr, to: (saveLR as NSString).appendingPathComponent("\(image.result.name)x\(s).png")) }
            try report?.add(image, scale: s)
        })
        let model = meanScores(results.map(\.model)), bicubic = meanScores(results.map(\.bicubic))
        let what = "\(evaluation.onY ? "Y" : "RGB"), shave \(evaluation.shave)"
        if !json && comm.rank == 0 {
            print("\(inference.checkpoint) (step \(trained.step)\(trained.usesEMA ? ", EMA weights" : "")) ×\(s)\(inference.selfEnsemble ? "+" : "") on \(data): \(pairs.count) images, \(what)")
            let width = max(8, results.map(\.name.count).max() ?? 0)
            print("image".padding(toLength: width, withPad: " ", startingAt: 0) + "    PSNR     SSIM   bicubic PSNR/SSIM     time")
            for r in results {
                print(r.name.padding(toLength: width, withPad: " ", startingAt: 0)
                      + String(format: "  %6.2f  %7.4f     %6.2f / %6.4f  %6.2fs", r.model.psnr, r.model.ssim, r.bicubic.psnr, r.bicubic.ssim, r.seconds))
            }
            print("mean".padding(toLength: width, withPad: " ", startingAt: 0)
                  + String(format: "  %6.2f  %7.4f     %6.2f / %6.4f  %6.2fs", model.psnr, model.ssim, bicubic.psnr, bicubic.ssim,
                           results.map(\.seconds).reduce(0, +)))
        }
        let rows = results.map { r in
            ["name": r.name, "psnr": r.model.psnr, "ssim": r.model.ssim, "bicubic_psnr": r.bicubic.psnr,
             "bicubic_ssim": r.bicubic.ssim, "seconds": r.seconds] as [String: Any]
        }
        return ["checkpoint": inference.checkpoint, "step": trained.step, "ema": trained.usesEMA, "scale": s, "self_ensemble": inference.selfEnsemble, "protocol": what,
                "ranks": computing.count, "group_ranks": comm.size, "tile": inference.tileSize(default: nil) ?? 0, "overlap": inference.overlap(trained, scale: s),
                "images": rows, "mean": ["psnr": model.psnr, "ssim": model.ssim, "bicubic_psnr": bicubic.psnr, "bicubic_ssim": bicubic.ssim]]
    }
}

extension Degradation: ExpressibleByArgument {}

/// Benchmark sets have HR/; DIV2K roots have DIV2K_train_HR; anything else is a
/// plain folder of HR images. DIV2K is scored on RGB with scale+6 shaved, the others
/// on Y with scale shaved.
func detectLayout(_ path: String, scale: Int) -> (DatasetLayout, EvaluationProtocol) {
    let layout = DatasetLayout.detect(root: path)
    return (layout, layout == .div2k ? .div2k(scale: scale) : .benchmark(scale: scale))
}
