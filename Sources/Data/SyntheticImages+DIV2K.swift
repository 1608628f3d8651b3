import Foundation

extension SyntheticImages {
    /// Writes `count` generated images as a DIV2K-style tree under `root`:
    /// `DIV2K_train_HR/0001.png …` and, for each of `scales`,
    /// `DIV2K_train_LR_bicubic/X{s}/0001x{s}.png` made with `Bicubic.downscale` —
    /// a stand-in for DIV2K for demos and tests.
    /// - Throws: `DataError` when a file cannot be written.
    public static func writeDIV2K(root: String, count: Int, size: Int, scales: [Int], seed: UInt64) throws {
        try write(count: count, size: size, scales: scales, seed: seed,
                  hr: { "\(root)/DIV2K_train_HR/\($0).png" },
                  lr: { name, s in "\(root)/DIV2K_train_LR_bicubic/X\(s)/\(name)x\(s).png" })
    }

    /// Writes a benchmark-style set (`root/HR/img_001.png` with
    /// `root/LR_bicubic/X{s}/img_001x{s}.png`), laid out like Set5, from images
    /// `first..<first+count` of the stream (pick `first` past the training images to
    /// get a held-out set).
    public static func writeBenchmark(root: String, count: Int, first: Int = 0, size: Int, scales: [Int], seed: UInt64) throws {
        try write(count: count, first: first, size: size, scales: scales, seed: seed,
                  hr: { "\(root)/HR/\($0).png" },
                  lr: { name, s in "\(root)/LR_bicubic/X\(s)/\(name)x\(s).png" })
    }

    /// Writes images `first..<first+count` and their LR images at each scale to the
    /// paths the layout gives for a name (DIV2K-style numbers, 1-based).
    static func write(count: Int, first: Int = 0, size: Int, scales: [Int], seed: UInt64,
                      hr: (String) -> String, lr: (String, Int) -> String) throws {
        for i in first..<(first + count) {
            let name = String(format: "%04d", i + 1)
            let image = image(index: i, size: size, seed: seed)
            for path in [hr(name)] + scales.map({ lr(name, $0) }) {
                try makeFolder((path as NSString).deletingLastPathComponent)
            }
            try PNGFile.write(image, to: hr(name))
            for s in scales { try PNGFile.write(Bicubic.downscale(image, by: s), to: lr(name, s)) }
        }
    }

    static func makeFolder(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw DataError("\(path): cannot create the folder (\(describeIOError(error, path: path)))")
        }
    }
}
