import Data

/// The image pairs a run trains and validates on, built from the config's data section.
struct TrainingData {
    var train: [ImagePair]
    var validation: [ImagePair]

    /// Synthetic data: `synthetic_images` generated images for training and two more,
    /// never trained on, for validation; LR made by MATLAB-style bicubic downscaling.
    static func load(_ spec: DataSpec, scale: Int, seed: UInt64) throws -> TrainingData {
        let images = SyntheticImages.make(count: spec.syntheticImages + 2, size: spec.syntheticSize, seed: seed)
        let pairs = images.enumerated().map { i, img -> ImagePair in
            let hr = img.cropped(width: img.width / scale * scale, height: img.height / scale * scale)
            return ImagePair(name: "synthetic-\(i)", hr: hr, lr: Bicubic.downscale(hr, by: scale), scale: scale)
        }
        return TrainingData(train: Array(pairs.prefix(spec.syntheticImages)), validation: Array(pairs.suffix(2)))
    }

    func check(patch: Int) throws {
        if let small = train.first(where: { $0.lr.width < patch || $0.lr.height < patch }) {
            throw ConfigError("image \(small.name): LR size \(small.lr.width)×\(small.lr.height) is smaller than patch_size \(patch)")
        }
    }
}
