import Data
import Kernels

/// The image pairs a run trains and validates on, built from the config's data section.
struct TrainingData {
    var train: [ImagePair]
    var validation: [ImagePair]

    /// Reads the configured dataset (through its decoded-image cache, on all of the
    /// process's threads), or generates the synthetic one.
    /// - Throws: `DataError` naming the file or folder at fault.
    static func load(_ spec: DataSpec, scale: Int, seed: UInt64) throws -> TrainingData {
        guard let layout = DatasetLayout(rawValue: spec.kind), let root = spec.root else {
            return synthetic(spec, scale: scale, seed: seed)
        }
        let dataset = Dataset(layout: layout, root: root, generateLR: spec.generateLR, cacheDir: spec.cacheDir)
        let train = try dataset.load(scale: scale, range: spec.dataRange?.train, threads: Threads.count)
        // Config validation guarantees one of the two validation sources.
        let validation = try spec.validationRoot.map {
            try Dataset(layout: .benchmark, root: $0, generateLR: spec.generateLR, cacheDir: spec.cacheDir)
                .load(scale: scale, range: nil, threads: Threads.count)
        } ?? dataset.load(scale: scale, range: spec.dataRange?.validation, threads: Threads.count)
        return TrainingData(train: train, validation: validation)
    }

    /// Synthetic data: `synthetic_images` generated images for training and two more,
    /// never trained on, for validation; LR made by MATLAB-style bicubic downscaling.
    static func synthetic(_ spec: DataSpec, scale: Int, seed: UInt64) -> TrainingData {
        let images = SyntheticImages.make(count: spec.syntheticImages + 2, size: spec.syntheticSize, seed: seed)
        let pairs = images.enumerated().map { i, img -> ImagePair in
            let lr = Bicubic.downscale(img, by: scale)
            return ImagePair(name: "synthetic-\(i)", hr: img.cropped(width: lr.width * scale, height: lr.height * scale), lr: lr, scale: scale)
        }
        return TrainingData(train: Array(pairs.prefix(spec.syntheticImages)), validation: Array(pairs.suffix(2)))
    }

    func check(patch: Int) throws {
        try Dataset.checkPatchFits(train, patch: patch)
    }
}
