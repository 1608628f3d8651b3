import Dispatch
import Foundation

extension SyntheticImages {
    /// DIV2K's shapes: 2040 pixels on the long side, mostly landscape at a few
    /// heights, one in ten portrait. Image i (0-based) has shape `div2kShapes[i % 10]`.
    public static let div2kShapes = [(2040, 1356), (2040, 1152), (2040, 1356), (2040, 1536), (1356, 2040),
                                     (2040, 1344), (2040, 1356), (2040, 1080), (2040, 1356), (1152, 2040)]

    /// Writes `count` generated images as a DIV2K-style tree under `root`:
    /// `DIV2K_train_HR/0001.png …` and, for each of `scales`,
    /// `DIV2K_train_LR_<degradation>/X{s}/0001x{s}.png` made with `Degradation.makeLR` —
    /// a stand-in for DIV2K (either track) for demos, tests and the data-scale benchmark.
    /// - Parameters:
    ///   - size: side of every (square) image, or nil for DIV2K's shapes.
    ///   - threads: images generated at once.
    /// - Throws: `DataError` when a file cannot be written.
    public static func writeDIV2K(root: String, count: Int, size: Int?, scales: [Int], seed: UInt64, threads: Int = 1,
                                  degradation: Degradation = .bicubic) throws {
        try write(count: count, shape: { i in size.map { ($0, $0) } ?? div2kShapes[i % div2kShapes.count] },
                  scales: scales, seed: seed, threads: threads, degradation: degradation,
                  hr: { "\(root)/DIV2K_train_HR/\($0).png" },
                  lr: { name, s in "\(root)/DIV2K_train_\(degradation.folder)/X\(s)/\(name)x\(s).png" })
    }

    /// Writes a benchmark-style set (`root/HR/img_001.png` with
    /// `root/LR_<degradation>/X{s}/img_001x{s}.png`), laid out like Set5, from images
    /// `first..<first+count` of the stream (pick `first` past the training images to
    /// get a held-out set).
    public static func writeBenchmark(root: String, count: Int, first: Int = 0, size: Int, scales: [Int], seed: UInt64,
                                      degradation: Degradation = .bicubic) throws {
        try write(count: count, first: first, shape: { _ in (size, size) }, scales: scales, seed: seed, degradation: degradation,
                  hr: { BenchmarkPaths.hr(root: root, name: $0) },
                  lr: { BenchmarkPaths.lr(root: root, name: $0, scale: $1, degradation: degradation) })
    }

    /// Writes images `first..<first+count` and their LR images at each scale to the
    /// paths the layout gives for a name (DIV2K-style numbers, 1-based); an image
    /// whose files all exist is kept, so an interrupted generation continues.
    static func write(count: Int, first: Int = 0, shape: (Int) -> (Int, Int), scales: [Int], seed: UInt64, threads: Int = 1,
                      degradation: Degradation, hr: (String) -> String, lr: (String, Int) -> String) throws {
        for folder in Set(([hr("0")] + scales.map { lr("0", $0) }).map { ($0 as NSString).deletingLastPathComponent }) {
            try createFolder(folder)
        }
        let failures = UnsafeMutableBufferPointer<Error?>.allocate(capacity: count)
        failures.initialize(repeating: nil)
        defer { failures.deallocate() }
        let workers = max(1, min(threads, count))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for k in stride(from: w, to: count, by: workers) {
                let i = first + k
                let name = String(format: "%04d", i + 1)
                if ([hr(name)] + scales.map { lr(name, $0) }).allSatisfy({ FileManager.default.fileExists(atPath: $0) }) { continue }
                do {
                    let (width, height) = shape(i)
                    let image = image(index: i, width: width, height: height, seed: seed)
                    for s in scales { try PNGFile.write(degradation.makeLR(image, by: s), to: lr(name, s)) }
                    // The HR last: its presence marks the image as complete.
                    try PNGFile.write(image, to: hr(name))
                } catch { failures[k] = error }
            }
        }
        if let error = failures.compactMap({ $0 }).first { throw error }
    }
}
