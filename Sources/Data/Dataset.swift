import Dispatch
import Foundation

/// A dataset on disk: its layout and root, whether missing LR images may be made
/// from their HR images, and where decoded images are cached.
public struct Dataset: Sendable {
    public var layout: DatasetLayout
    public var root: String
    /// Generate a missing LR file from its HR image with `Bicubic.downscale` (into
    /// the cache, never into the dataset). The folder layout always generates.
    public var generateLR: Bool
    /// Folder of the decoded-image cache; nil means `<root>/srdist_cache`.
    public var cacheDir: String?

    public init(layout: DatasetLayout, root: String, generateLR: Bool = false, cacheDir: String? = nil) {
        (self.layout, self.root, self.generateLR, self.cacheDir) = (layout, root, generateLR, cacheDir)
    }

    /// Where this dataset's cache files go: one folder per dataset root, so several
    /// datasets can share a configured `cache_dir`.
    public var cacheFolder: String {
        let absolute = URL(fileURLWithPath: root).standardizedFileURL.path
        let tag = URL(fileURLWithPath: absolute).lastPathComponent + "-" + String(fnv1a(absolute), radix: 16)
        return (cacheDir ?? "\(root)/srdist_cache") + "/" + tag
    }

    /// Loads the pairs of scale `scale` that `range` selects (all images when nil),
    /// HR cropped to exactly `scale ×` the LR size. Each image comes from its cache
    /// file when that is complete and its sources are unchanged; otherwise it is
    /// decoded (LR generated when needed and allowed) and the cache file rewritten.
    /// Images load in parallel on `threads` workers; errors are reported for the
    /// first failing image in index order.
    /// - Throws: `DataError` naming the file at fault.
    public func load(scale: Int, range: ClosedRange<Int>?, threads: Int = 1) throws -> [ImagePair] {
        let entries = try layout.entries(root: root, scale: scale, range: range)
        let folder = cacheFolder
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw DataError("\(folder): cannot create the image cache folder; set data.cache_dir to a writable folder")
        }
        let results = UnsafeMutableBufferPointer<Result<ImagePair, Error>?>.allocate(capacity: entries.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        let workers = max(1, min(threads, entries.count))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for i in stride(from: w, to: entries.count, by: workers) {
                results[i] = Result { try loadPair(entries[i], scale: scale, cacheFolder: folder) }
            }
        }
        return try results.map { try $0!.get() }
    }

    /// One pair through the cache.
    func loadPair(_ entry: DatasetEntry, scale: Int, cacheFolder: String) throws -> ImagePair {
        let hrStamp = FileStamp(path: entry.hrPath)
        guard hrStamp != .absent else { throw DataError("\(entry.hrPath): HR image not found") }
        let lrStamp = entry.lrPath.map { FileStamp(path: $0) } ?? .absent
        let cachePath = "\(cacheFolder)/\(entry.name).x\(scale).bin"
        if let cached = try ImageCache.read(cachePath),
           cached.scale == scale, cached.hrStamp == hrStamp, cached.lrStamp == lrStamp {
            return ImagePair(name: entry.hrPath, hr: cached.hr, lr: cached.lr, scale: scale)
        }
        let pair = try decode(entry, scale: scale, lrExists: lrStamp != .absent)
        try ImageCache.write(ImageCache.Entry(scale: scale, hrStamp: hrStamp, lrStamp: lrStamp, hr: pair.hr, lr: pair.lr), to: cachePath)
        return pair
    }

    /// Decodes the HR image and reads or makes its LR image.
    func decode(_ entry: DatasetEntry, scale: Int, lrExists: Bool) throws -> ImagePair {
        let hr = try PNGFile.read(entry.hrPath)
        guard hr.width >= scale, hr.height >= scale else {
            throw DataError("\(entry.hrPath): HR image \(hr.width)×\(hr.height) is smaller than the scale \(scale)")
        }
        let lr: RGBImage
        if let lrPath = entry.lrPath, lrExists {
            lr = try PNGFile.read(lrPath)
            // As EDSR-PyTorch: LR = floor(HR / s), and the HR is cut to s × LR.
            guard lr.width == hr.width / scale, lr.height == hr.height / scale else {
                throw DataError("\(lrPath): LR image is \(lr.width)×\(lr.height) but its HR image \(entry.hrPath) is \(hr.width)×\(hr.height); ×\(scale) needs \(hr.width / scale)×\(hr.height / scale)")
            }
        } else if let lrPath = entry.lrPath, !generateLR {
            throw DataError("\(lrPath): LR image not found (set data.generate_lr to true to make it from \(entry.hrPath))")
        } else {
            lr = Bicubic.downscale(hr, by: scale)
        }
        return ImagePair(name: entry.hrPath, hr: hr.cropped(width: lr.width * scale, height: lr.height * scale), lr: lr, scale: scale)
    }

    /// Checks that every LR image holds a training patch of side `patch`.
    /// - Throws: `DataError` naming the first image that is too small.
    public static func checkPatchFits(_ pairs: [ImagePair], patch: Int) throws {
        if let small = pairs.first(where: { $0.lr.width < patch || $0.lr.height < patch }) {
            throw DataError("\(small.name): LR image \(small.lr.width)×\(small.lr.height) (×\(small.scale)) is smaller than patch_size \(patch)")
        }
    }
}

/// 64-bit FNV-1a of a string: a stable short tag for a path (Swift's `hashValue`
/// changes between runs).
func fnv1a(_ s: String) -> UInt64 {
    s.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
}
