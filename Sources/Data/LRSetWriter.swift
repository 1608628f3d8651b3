import Dispatch
import Foundation

/// `srdist make-lr`: turns a folder of HR photos into a benchmark-layout set with
/// MATLAB-exact bicubic LR images — `out/HR/<name>.png` and
/// `out/LR_bicubic/X<s>/<name>x<s>.png` (`BenchmarkPaths`), as Set5 or DIV2K's LR
/// folders were made.
///
/// The LR of scale s is `Bicubic.downscale`: `imresize(hr, 1/s, 'bicubic')` of the HR
/// cropped to a multiple of s (MATLAB's `modcrop`), so its size is floor(HR / s). The
/// HR is written as read (8-bit RGB), as in the benchmark archives, whose loaders
/// (srdist's, EDSR-PyTorch's) cut it to s × LR; `cropHR` writes it cut to a multiple
/// of every scale instead (DIV2K's convention: each pair exact without a crop).
public struct LRSetWriter: Sendable {
    public var input: String
    public var output: String
    public var scales: [Int]
    public var cropHR: Bool
    public var maxImagePixels: Int
    /// `unknown` writes `LR_unknown/X<s>` with `Degradation.makeLR`'s stand-in blur before the bicubic.
    public var degradation: Degradation

    public init(input: String, output: String, scales: [Int], cropHR: Bool = false, maxImagePixels: Int = PNGFile.defaultMaxPixels,
                degradation: Degradation = .bicubic) {
        (self.input, self.output, self.scales, self.cropHR, self.maxImagePixels) = (input, output, scales, cropHR, maxImagePixels)
        self.degradation = degradation
    }

    /// The side every HR image is cut to a multiple of with `cropHR`: the least common multiple of the scales.
    public var hrMultiple: Int {
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        return scales.reduce(1) { $0 / gcd($0, $1) * $1 }
    }

    /// The PNG names of the input folder, sorted; checked before anything is written:
    /// the folder must hold PNGs, and none of the files to write may exist already
    /// (make-lr never replaces a file).
    /// - Throws: `DataError` naming the folder or the first file in the way.
    public func plan() throws -> [String] {
        let names = try DatasetLayout.imageFiles(in: input, range: nil)
        for name in names {
            let stem = DatasetLayout.stem(name)
            for path in [BenchmarkPaths.hr(root: output, name: stem)] + scales.map({ BenchmarkPaths.lr(root: output, name: stem, scale: $0, degradation: degradation) })
            where FileManager.default.fileExists(atPath: path) {
                throw DataError("\(path): already exists; make-lr does not replace files: choose a new output folder")
            }
        }
        return names
    }

    /// Writes the set, `threads` images at a time (each file complete or absent:
    /// `PNGFile.write` renames a finished temporary file into place).
    /// - Parameter progress: called after each image with (images done, total, a line about it), serialised.
    /// - Throws: `DataError` naming the first image (in name order) that failed; the
    ///   others are written (each with its LR images).
    public func write(_ names: [String], threads: Int = 1, progress: ((Int, Int, String) -> Void)? = nil) throws {
        for folder in ["\(output)/HR"] + scales.map({ "\(output)/\(degradation.folder)/X\($0)" }) {
            try createFolder(folder)
        }
        let failures = UnsafeMutableBufferPointer<Error?>.allocate(capacity: names.count)
        failures.initialize(repeating: nil)
        defer { failures.deallocate() }
        let lock = NSLock()
        var done = 0
        let workers = max(1, min(threads, names.count))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for i in stride(from: w, to: names.count, by: workers) {
                let line: String
                do { line = try writeImage(names[i]) } catch {
                    failures[i] = error
                    line = "\(names[i]): failed"
                }
                lock.lock()
                done += 1
                progress?(done, names.count, line)
                lock.unlock()
            }
        }
        if let error = failures.compactMap({ $0 }).first { throw error }
    }

    /// One image: its LR files first, the HR last, so a set cut short by an error
    /// never holds an HR image without its LR images.
    func writeImage(_ name: String) throws -> String {
        let stem = (name as NSString).deletingPathExtension
        let read = try ImageFile.read("\(input)/\(name)", maxPixels: maxImagePixels)
        // The cut keeps the LR of every scale at least one pixel wide.
        let multiple = cropHR ? hrMultiple : scales.max() ?? 1
        guard read.width >= multiple, read.height >= multiple else {
            throw DataError("\(input)/\(name): the image is \(read.width)×\(read.height), smaller than \(multiple)"
                            + (cropHR ? ", the multiple --crop-hr cuts to" : ", the largest scale"))
        }
        let hr = cropHR ? read.cropped(width: read.width / multiple * multiple, height: read.height / multiple * multiple) : read
        var sizes: [String] = []
        for s in scales {
            let lr = degradation.makeLR(hr, by: s)
            try PNGFile.write(lr, to: BenchmarkPaths.lr(root: output, name: stem, scale: s, degradation: degradation))
            sizes.append("×\(s) \(lr.width)×\(lr.height)")
        }
        try PNGFile.write(hr, to: BenchmarkPaths.hr(root: output, name: stem))
        return "\(name) \(hr.width)×\(hr.height): " + sizes.joined(separator: ", ")
    }
}
