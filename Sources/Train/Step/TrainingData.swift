import Data
import Distributed
import Foundation
import Kernels

/// The image pairs a run trains and validates on, built from the config's data
/// section: views of the shared cache maps (or in-memory synthetic images).
struct TrainingData {
    /// Per scale, the training pairs (one HR map per image shared by every scale).
    var train: [Int: [ImagePair]]
    /// Per scale, the held-out pairs.
    var validation: [Int: [ImagePair]]

    /// Maps the configured dataset's cache files (building, on this process, any the
    /// cooperative `prepare` left missing), or generates the synthetic images.
    /// - Parameter threads: workers for building missing cache files.
    /// - Throws: `DataError` naming the file or folder at fault.
    static func load(_ spec: DataSpec, scales: [Int], seed: UInt64, threads: Int) throws -> TrainingData {
        guard let sources = DataSources(spec, scales: scales) else { return synthetic(spec, scales: scales, seed: seed) }
        let train = try sources.dataset.open(try sources.trainImages(), scales: scales, threads: threads)
        let (dataset, images) = try sources.validationImages()
        return TrainingData(train: train, validation: try dataset.open(images, scales: scales, threads: threads))
    }

    /// Synthetic data: `synthetic_images` generated images for training and two more,
    /// never trained on, for validation; LR made by MATLAB-style bicubic downscaling.
    static func synthetic(_ spec: DataSpec, scales: [Int], seed: UInt64) -> TrainingData {
        let images = SyntheticImages.make(count: spec.syntheticImages + 2, size: spec.syntheticSize, seed: seed)
        var data = TrainingData(train: [:], validation: [:])
        for s in scales {
            let pairs = images.enumerated().map { i, img -> ImagePair in
                let lr = Bicubic.downscale(img, by: s)
                return ImagePair(name: "synthetic-\(i)", hr: img.cropped(width: lr.width * s, height: lr.height * s), lr: lr, scale: s)
            }
            (data.train[s], data.validation[s]) = (Array(pairs.prefix(spec.syntheticImages)), Array(pairs.suffix(2)))
        }
        return data
    }
}

/// The datasets a data section reads: the training set and the validation set
/// (the same dataset's validation range, or `validation_root`).
struct DataSources {
    let spec: DataSpec
    let scales: [Int]
    let dataset: Dataset

    /// nil for synthetic data.
    init?(_ spec: DataSpec, scales: [Int]) {
        guard let layout = spec.kind.layout, let root = spec.root else { return nil }
        (self.spec, self.scales) = (spec, scales)
        dataset = Dataset(layout: layout, root: root, generateLR: spec.generateLR, cacheDir: spec.cacheDir, maxImagePixels: spec.maxImagePixels)
    }

    func trainImages() throws -> [DatasetImage] { try dataset.images(scales: scales, range: spec.dataRange?.train) }

    func validationImages() throws -> (Dataset, [DatasetImage]) {
        // Config validation guarantees one of the two validation sources.
        guard let root = spec.validationRoot else {
            return (dataset, try dataset.images(scales: scales, range: spec.dataRange?.validation))
        }
        // A benchmark set (HR/ + LR_bicubic/), or a plain folder of HR images whose LR images are made.
        let layout: DatasetLayout = DatasetLayout.detect(root: root) == .benchmark ? .benchmark : .folder
        let set = Dataset(layout: layout, root: root, generateLR: spec.generateLR, cacheDir: spec.cacheDir, maxImagePixels: spec.maxImagePixels)
        return (set, try set.images(scales: scales, range: nil))
    }
}

/// Builds the image cache of `spec` at `scales` together on every rank of `comm`:
/// rank r of N checks and decodes images r, r+N, … of the training and validation
/// sets, then all meet at a barrier. Then the ranks of each host check the whole set
/// the same way among themselves (local rank l of L: images l, l+L, …) and build what
/// is still missing — nothing when the cache is on a shared filesystem, the other
/// nodes' shares when it is node-local. Rank 0 reports progress through `say`
/// (images, MB/s, ETA) and a summary line. A no-op for synthetic data.
/// `threads` workers decode on each rank.
/// - Throws: `CollectiveError` on every rank, with the line naming the file at fault,
///   when any rank fails to list the dataset or to build its images.
public func prepareData(_ spec: DataSpec, scales: [Int], comm: Communicator, threads: Int, say: ((String) -> Void)?) throws {
    guard let sources = DataSources(spec, scales: scales) else { return }
    // A missing or unlistable dataset fails on every rank alike: said once, by rank 0.
    let sets = try comm.failTogether { () -> [(Dataset, [DatasetImage])] in
        let (validationSet, validationImages) = try sources.validationImages()
        return [(sources.dataset, try sources.trainImages()), (validationSet, validationImages)]
    }
    let total = sets.map(\.1.count).reduce(0, +)
    let start = Date()
    var lastReport = start, built = 0, bytes = 0
    let host = try comm.sameHost()
    // With one host, the first pass covers everything.
    for group in host.size == comm.size ? [comm] : [comm, host] {
        let mine = sets.map { set in (set.0, set.1.enumerated().filter { $0.offset % group.size == group.rank }.map(\.element)) }
        let myTotal = mine.map(\.1.count).reduce(0, +)
        var done = 0
        // A bad image or an unusable cache folder ends every rank together, in one line.
        try comm.failTogether {
            for (dataset, images) in mine where !images.isEmpty {
                let before = (built, bytes, done)
                try dataset.build(images, scales: scales, threads: threads) { p in
                    (built, bytes, done) = (before.0 + p.built, before.1 + p.bytes, before.2 + p.done)
                    guard let say, Date().timeIntervalSince(lastReport) >= 5, p.built > 0, done < myTotal else { return }
                    lastReport = Date()
                    let elapsed = lastReport.timeIntervalSince(start)
                    let eta = elapsed / Double(done) * Double(myTotal - done)
                    say(String(format: "data: building the image cache: %d/%d images of rank 0's share (%d in all over %d rank%@), %.0f MB/s, ETA %@",
                               done, myTotal, total, group.size, group.size == 1 ? "" : "s", Double(bytes) / 1e6 / elapsed, duration(eta)))
                }
            }
        }
        try group.barrier()
    }
    let scaleList = scales.map { "×\($0)" }.joined(separator: "/")
    if built > 0 {
        say?(String(format: "data: image cache ready in %.1f s: %d images (HR + LR %@) in %@; rank 0 decoded %d (%.0f MB)",
                    Date().timeIntervalSince(start), total, scaleList, sources.dataset.cacheFolder, built, Double(bytes) / 1e6))
    } else {
        say?("data: \(total) images (HR + LR \(scaleList)) from the image cache in \(sources.dataset.cacheFolder)")
    }
}
