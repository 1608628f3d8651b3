import Foundation

extension SyntheticImages {
    /// Writes `count` generated images as a DIV2K-style tree under `root`:
    /// `DIV2K_train_HR/0001.png …` and, for each of `scales`,
    /// `DIV2K_train_LR_bicubic/X{s}/0001x{s}.png` made with `Bicubic.downscale` —
    /// a stand-in for DIV2K for demos and tests.
    /// - Throws: `DataError` when a file cannot be written.
    public static func writeDIV2K(root: String, count: Int, size: Int, scales: [Int], seed: UInt64) throws {
        try makeFolder("\(root)/DIV2K_train_HR")
        for s in scales { try makeFolder("\(root)/DIV2K_train_LR_bicubic/X\(s)") }
        for i in 0..<count {
            let name = String(format: "%04d", i + 1)
            let hr = image(index: i, size: size, seed: seed)
            try PNGFile.write(hr, to: "\(root)/DIV2K_train_HR/\(name).png")
            for s in scales {
                try PNGFile.write(Bicubic.downscale(hr, by: s), to: "\(root)/DIV2K_train_LR_bicubic/X\(s)/\(name)x\(s).png")
            }
        }
    }

    static func makeFolder(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw DataError("\(path): cannot create the folder (\(error.localizedDescription))")
        }
    }
}
