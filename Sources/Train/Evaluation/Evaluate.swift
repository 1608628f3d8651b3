import Data
import Distributed
import Foundation
import Metrics
import Support
import Models

/// Scores of one image: the model's and bicubic upsampling's (the floor), and the
/// model's inference time.
public struct ImageResult: Sendable {
    public var name: String
    public var model: ImageScores
    public var bicubic: ImageScores
    public var seconds: Double
}

/// One evaluated image with its pictures, for what `eval` writes besides the scores
/// (the LR inputs, the report's crops). `sr`, `bicubic` and `hr` have the same size.
public struct EvaluatedImage {
    public var result: ImageResult
    public var lr, sr, bicubic, hr: RGBImage
}

/// Which ranks score the images of a shared evaluation.
public enum ScoringRanks: Sendable {
    /// Image k is scored by the k-th computing rank (mod their count): spread like the tiles.
    case spread
    /// Rank 0 scores every image (it gets each image's pictures, as `eval --report` needs).
    case root
}

/// Thrown on every rank of a shared evaluation when the `stop` check said so between
/// two images: the evaluation was abandoned.
public struct EvaluationStopped: Error {}

/// The model's output for an image held NaN or ±∞ (damaged or diverged weights): no
/// pixels, so no score. Thrown on every rank alike.
public struct NonFiniteOutput: CollectiveFailure, LocalizedError {
    public let errorDescription: String?
}

/// The paper's evaluation, shared by the ranks of `comm`: each LR image is cut into the
/// windows of a `TileGrid` (one window when `tile` is nil), the windows of all images are
/// dealt out round-robin over the `computing` ranks, and each image's 8-bit cores are gathered to the
/// rank that scores it against HR with `protocol`, next to bicubic upsampling. A window's
/// output does not depend on the rank that computes it, so at the same threads per rank
/// the scores are the same bits at every rank count; every rank returns all of them.
/// - Parameters:
///   - computing: the ranks of `comm` that compute windows, in rank order (nil: all);
///     the others only take part in the collectives (`Communicator.firstRanksOnEachHost`).
///   - save: folder to write the model's outputs as PNG (`<name>_x<s>.png`), by the scoring rank.
///   - scoring: which ranks score (`each` runs on the scoring rank).
///   - stop: asked on every rank after each image; when any rank says true, every rank
///     throws `EvaluationStopped`.
///   - progress: called on every rank after each image with the number done.
///   - each: called with every image once it is scored (one image's pictures in memory at a time).
///   - threads: workers for scoring (the upscaler's network has its own settings).
public func evaluate(_ upscaler: Upscaler, on pairs: [ImagePair], by evaluation: EvaluationProtocol,
                     selfEnsemble: Bool = false, tile: Int? = nil, overlap: Int = 16,
                     computing: [Int]? = nil, save: String? = nil, threads: Int, comm: Communicator, scoring: ScoringRanks = .spread,
                     stop: (() -> Bool)? = nil, progress: ((Int) -> Void)? = nil,
                     each: ((EvaluatedImage) throws -> Void)? = nil) throws -> [ImageResult] {
    let s = upscaler.scale
    // From sizes alone, on every rank: an image that cannot be scored fails every rank
    // before any computes.
    for pair in pairs {
        do {
            try checkScorable(width: pair.lr.width * s, height: pair.lr.height * s, hrWidth: pair.hr.width, hrHeight: pair.hr.height,
                              by: evaluation)
        } catch {
            throw ScoringError("\(pair.name): \(error.localizedDescription)")
        }
    }
    if let save { try comm.failTogether { try createFolder(save) } }
    let workers = computing ?? Array(0..<comm.size)
    precondition(!workers.isEmpty && workers.allSatisfy { (0..<comm.size).contains($0) }, "computing ranks outside the communicator")
    let grids = pairs.map { TileGrid(h: $0.lr.height, w: $0.lr.width, tile: tile, overlap: overlap) }
    // Model PSNR, SSIM, bicubic PSNR, SSIM, seconds per image; summed over ranks at the end.
    var table = [Double](repeating: 0, count: 5 * pairs.count)
    var first = 0
    for (k, pair) in pairs.enumerated() {
        let grid = grids[k]
        let mine = (first..<(first + grid.count)).filter { workers[$0 % workers.count] == comm.rank }.map { $0 - first }
        var cores: [UInt8] = []
        var nonFinite: String?
        if !mine.isEmpty {
            let lr = pair.lr.image().planar()
            let start = DispatchTime.now().uptimeNanoseconds
            for i in mine {
                let core = grid.core(i)
                let pixels = grid.core(i, of: upscaler.windowOutput(lr, grid, i, selfEnsemble: selfEnsemble), scale: s)
                do {
                    cores += try pixels.withUnsafeBufferPointer {
                        try RGBImage(planar: $0.baseAddress!, width: core.cols.count * s, height: core.rows.count * s).pixels
                    }
                } catch {
                    nonFinite = "\(pair.name) ×\(s): \(describe(error))"
                    break
                }
            }
            table[5 * k + 4] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        do {
            try comm.failTogether { if let nonFinite { throw ScoringError(nonFinite) } }
        } catch {
            throw NonFiniteOutput(errorDescription: describe(error))
        }
        let owner = scoring == .root ? 0 : workers[k % workers.count]
        let gathered = try comm.gather(cores, root: owner)
        try comm.failTogether {
            guard comm.rank == owner else { return }
            let sr = assemble(gathered, grid: grid, first: first, workers: workers, scale: s)
            let (lr, hr) = (pair.lr.image(), pair.hr.image())
            let bic = Bicubic.upscale(lr, by: s)
            func scores(_ img: RGBImage) throws -> ImageScores {
                try score(sr: img.pixels, width: img.width, height: img.height,
                          hr: hr.pixels, hrWidth: hr.width, hrHeight: hr.height, by: evaluation, threads: threads)
            }
            if let save { try PNGFile.write(sr, to: (save as NSString).appendingPathComponent("\(pair.name)_x\(s).png")) }
            let (model, bicubic) = (try scores(sr), try scores(bic))
            table.replaceSubrange((5 * k)..<(5 * k + 4), with: [model.psnr, model.ssim, bicubic.psnr, bicubic.ssim])
            let result = ImageResult(name: pair.name, model: model, bicubic: bicubic, seconds: table[5 * k + 4])
            try each?(EvaluatedImage(result: result, lr: lr, sr: sr, bicubic: bic, hr: hr))
        }
        first += grid.count
        progress?(k + 1)
        if let stop, try comm.allreduce([stop() ? 1 : 0] as [Int32], .max)[0] == 1 { throw EvaluationStopped() }
    }
    // Every entry has one writer (its scoring rank, or each rank its own time share),
    // so the sum is each value itself (x + 0 = x) except the seconds, summed over ranks.
    try table.withUnsafeMutableBufferPointer { try comm.allreduce($0, .sum) }
    return pairs.enumerated().map { k, pair in
        ImageResult(name: pair.name, model: ImageScores(psnr: table[5 * k], ssim: table[5 * k + 1]),
                    bicubic: ImageScores(psnr: table[5 * k + 2], ssim: table[5 * k + 3]), seconds: table[5 * k + 4])
    }
}

/// The SR image of one image from its cores as `comm.gather` delivered them: the bytes
/// of `workers[j]` are the 8-bit cores of windows j, j + workers.count, … (numbered from
/// `first` over all images), in order.
private func assemble(_ gathered: [[UInt8]], grid: TileGrid, first: Int, workers: [Int], scale s: Int) -> RGBImage {
    var image = RGBImage(width: grid.w * s, height: grid.h * s)
    var offsets = [Int](repeating: 0, count: gathered.count)
    for i in 0..<grid.count {
        let r = workers[(first + i) % workers.count], core = grid.core(i)
        let (ch, cw) = (core.rows.count * s, core.cols.count * s)
        for y in 0..<ch {
            let dst = ((core.rows.lowerBound * s + y) * image.width + core.cols.lowerBound * s) * 3
            image.pixels.replaceSubrange(dst..<(dst + 3 * cw), with: gathered[r][(offsets[r] + 3 * cw * y)..<(offsets[r] + 3 * cw * (y + 1))])
        }
        offsets[r] += 3 * cw * ch
    }
    return image
}

/// Mean PSNR and SSIM over images (the numbers papers report).
public func meanScores(_ scores: [ImageScores]) -> ImageScores {
    let n = Double(max(scores.count, 1))
    return ImageScores(psnr: scores.map(\.psnr).reduce(0, +) / n, ssim: scores.map(\.ssim).reduce(0, +) / n)
}
