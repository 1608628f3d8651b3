import Dispatch
import Foundation

/// A dataset on disk: its layout and root, whether missing LR images may be made
/// from their HR images, and where decoded images are cached.
///
/// Training reads from the cache, never from the PNGs: `build` decodes what is
/// missing into cache files, `open` maps them read-only (one copy per node, shared
/// by every rank through the page cache) and hands out views.
public struct Dataset: Sendable {
    public var layout: DatasetLayout
    public var root: String
    /// Generate a missing LR file from its HR image with `Bicubic.downscale` (into
    /// the cache, never into the dataset). The folder layout always generates.
    public var generateLR: Bool
    /// Folder of the decoded-image cache; nil means `<root>/srdist_cache`.
    public var cacheDir: String?
    /// PNGs whose header claims more pixels are refused before decoding (`data.max_image_pixels`).
    public var maxImagePixels: Int

    public init(layout: DatasetLayout, root: String, generateLR: Bool = false, cacheDir: String? = nil,
                maxImagePixels: Int = PNGFile.defaultMaxPixels) {
        (self.layout, self.root, self.generateLR, self.cacheDir, self.maxImagePixels) = (layout, root, generateLR, cacheDir, maxImagePixels)
    }

    /// Where this dataset's cache files go: one folder per dataset root, so several
    /// datasets can share a configured `cache_dir`.
    public var cacheFolder: String {
        let absolute = URL(fileURLWithPath: root).standardizedFileURL.path
        let tag = URL(fileURLWithPath: absolute).lastPathComponent + "-" + String(fnv1a(absolute), radix: 16)
        return (cacheDir ?? "\(root)/srdist_cache") + "/" + tag
    }

    /// The images `range` selects (all when nil), in index order, with their LR
    /// files for each of `scales`.
    /// - Throws: `DataError` naming the folder or file when the layout's folders are missing.
    public func images(scales: [Int], range: ClosedRange<Int>?) throws -> [DatasetImage] {
        let perScale = try scales.map { try layout.entries(root: root, scale: $0, range: range) }
        return perScale[0].indices.map { i in
            DatasetImage(name: perScale[0][i].name, hrPath: perScale[0][i].hrPath,
                         lrPaths: Dictionary(uniqueKeysWithValues: scales.indices.compactMap { k in perScale[k][i].lrPath.map { (scales[k], $0) } }))
        }
    }

    /// Builds the cache files of `images` at `scales` that are missing or stale (HR
    /// once per image, LR per scale), on `threads` workers, each holding one image at
    /// a time. Errors are reported for the first failing image in index order.
    /// - Parameter progress: called after each image (from a worker, serialised).
    /// - Returns: how many images needed work and how many decoded bytes were written.
    /// - Throws: `DataError` naming the file at fault.
    @discardableResult
    public func build(_ images: [DatasetImage], scales: [Int], threads: Int = 1,
                      progress: ((CacheBuildProgress) -> Void)? = nil) throws -> CacheBuildProgress {
        let folder = try makeCacheFolder()
        let results = UnsafeMutableBufferPointer<Result<Int, Error>?>.allocate(capacity: images.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        let lock = NSLock()
        var state = CacheBuildProgress(total: images.count)
        let workers = max(1, min(threads, images.count))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for i in stride(from: w, to: images.count, by: workers) {
                let result = Result { try buildImage(images[i], scales: scales, folder: folder) }
                results[i] = result
                lock.lock()
                state.done += 1
                if case .success(let bytes) = result, bytes > 0 { (state.built, state.bytes) = (state.built + 1, state.bytes + bytes) }
                let snapshot = state
                progress?(snapshot)
                lock.unlock()
            }
        }
        for r in results { _ = try r!.get() }
        return state
    }

    /// Maps the cached planes of `images` for each of `scales`, building (on this
    /// process) whatever is missing or stale first — the case of a node-local cache
    /// that other nodes' ranks filled on their own disks.
    /// - Returns: per scale, the pairs in image order, HR viewed at `scale ×` the LR size.
    /// - Throws: `DataError` naming the file at fault.
    public func open(_ images: [DatasetImage], scales: [Int], threads: Int = 1) throws -> [Int: [ImagePair]] {
        let folder = cacheFolder
        // Map once; only images found stale are built and mapped again.
        var maps = try images.map { try mapped($0, scales: scales, folder: folder) }
        let stale = images.indices.filter { maps[$0] == nil }
        if !stale.isEmpty { try build(stale.map { images[$0] }, scales: scales, threads: threads) }
        for i in stale { maps[i] = try mapped(images[i], scales: scales, folder: folder) }
        var pairs: [Int: [ImagePair]] = [:]
        for (image, mapped) in zip(images, maps) {
            guard let mapped else {
                throw DataError("\(folder)/\(ImageCache.fileName(image.name, scale: nil)): image cache file changed while it was opened; run again")
            }
            for (s, pair) in mapped { pairs[s, default: []].append(pair) }
        }
        return pairs
    }

    /// Builds and maps the pairs of one scale: what `eval` and the tests use.
    public func load(scale: Int, range: ClosedRange<Int>?, threads: Int = 1) throws -> [ImagePair] {
        let images = try images(scales: [scale], range: range)
        try build(images, scales: [scale], threads: threads)
        return try open(images, scales: [scale], threads: threads)[scale] ?? []
    }

    /// The cache folder, created when missing. It need not be writable while every
    /// file in it is valid (a cache built beforehand on a read-only filesystem).
    /// Temporary files a killed builder left (a stop signal during start-up ends the
    /// process at once) are removed once they are an hour old: no live writer takes
    /// that long for one image.
    func makeCacheFolder() throws -> String {
        let folder = cacheFolder
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw DataError("\(folder): cannot create the image cache folder; set data.cache_dir to a writable folder")
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names where name.contains(".srd.tmp-") {
            var st = stat()
            if stat("\(folder)/\(name)", &st) == 0, time(nil) - st.st_mtim.tv_sec > 3600 { unlink("\(folder)/\(name)") }
        }
        return folder
    }

    /// The image's pairs at every scale from valid cache files; nil when one is
    /// missing, incomplete or older than its source.
    func mapped(_ image: DatasetImage, scales: [Int], folder: String) throws -> [Int: ImagePair]? {
        let hrStamp = FileStamp(path: image.hrPath)
        guard let hr = try ImageCache.open("\(folder)/\(ImageCache.fileName(image.name, scale: nil))"),
              hr.header.plane == 0, hr.header.hrStamp == hrStamp, try ImageDimensions.agree(image.hrPath, with: hr.view) else { return nil }
        var pairs: [Int: ImagePair] = [:]
        for s in scales {
            let lrStamp = image.lrPaths[s].map { FileStamp(path: $0) } ?? .absent
            guard let lr = try ImageCache.open("\(folder)/\(ImageCache.fileName(image.name, scale: s))"),
                  lr.header.plane == s, lr.header.hrStamp == hrStamp, lr.header.lrStamp == lrStamp,
                  lr.view.width == hr.view.width / s, lr.view.height == hr.view.height / s,
                  try image.lrPaths[s].map({ try ImageDimensions.agree($0, with: lr.view) }) ?? true else { return nil }
            pairs[s] = ImagePair(name: image.hrPath, hr: hr.view.cropped(width: lr.view.width * s, height: lr.view.height * s),
                                 lr: lr.view, scale: s)
        }
        return pairs
    }

    /// Brings one image's cache files up to date; the decoded bytes written (0 when
    /// all were valid).
    func buildImage(_ image: DatasetImage, scales: [Int], folder: String) throws -> Int {
        let hrStamp = FileStamp(path: image.hrPath)
        guard hrStamp != .absent else { throw DataError("\(image.hrPath): HR image not found") }
        let hrFile = "\(folder)/\(ImageCache.fileName(image.name, scale: nil))"
        var written = 0
        var decoded: RGBImage?
        var cached: ImageView?
        if let entry = try ImageCache.open(hrFile), entry.header.plane == 0, entry.header.hrStamp == hrStamp,
           try ImageDimensions.agree(image.hrPath, with: entry.view) {
            cached = entry.view
        }
        if cached == nil {
            let hr = try PNGFile.read(image.hrPath, maxPixels: maxImagePixels)
            try ImageCache.write(hr, plane: 0, hrStamp: hrStamp, lrStamp: .absent, to: hrFile)
            (decoded, written) = (hr, hr.pixels.count)
        }
        let (hrWidth, hrHeight) = decoded.map { ($0.width, $0.height) } ?? (cached!.width, cached!.height)
        for s in scales {
            guard hrWidth >= s, hrHeight >= s else {
                throw DataError("\(image.hrPath): HR image \(hrWidth)×\(hrHeight) is smaller than the scale \(s)")
            }
            let lrPath = image.lrPaths[s]
            let lrStamp = lrPath.map { FileStamp(path: $0) } ?? .absent
            let lrFile = "\(folder)/\(ImageCache.fileName(image.name, scale: s))"
            if let lr = try ImageCache.open(lrFile), lr.header.plane == s, lr.header.hrStamp == hrStamp, lr.header.lrStamp == lrStamp,
               lr.view.width == hrWidth / s, lr.view.height == hrHeight / s,
               try lrPath.map({ try ImageDimensions.agree($0, with: lr.view) }) ?? true { continue }
            let lr: RGBImage
            if let lrPath, lrStamp != .absent {
                lr = try PNGFile.read(lrPath, maxPixels: maxImagePixels)
                // As EDSR-PyTorch: LR = floor(HR / s), and the HR is cut to s × LR.
                guard lr.width == hrWidth / s, lr.height == hrHeight / s else {
                    throw DataError("\(lrPath): LR image is \(lr.width)×\(lr.height) but its HR image \(image.hrPath) is \(hrWidth)×\(hrHeight); ×\(s) needs \(hrWidth / s)×\(hrHeight / s)")
                }
            } else if let lrPath, !generateLR {
                throw DataError("\(lrPath): LR image not found (set data.generate_lr to true to make it from \(image.hrPath))")
            } else {
                if decoded == nil { decoded = cached!.image() }
                lr = Bicubic.downscale(decoded!, by: s)
            }
            try ImageCache.write(lr, plane: s, hrStamp: hrStamp, lrStamp: lrStamp, to: lrFile)
            written += lr.pixels.count
        }
        return written
    }

    /// Checks that every LR image holds a training patch of side `patch`.
    /// - Throws: `DataError` naming the first image that is too small.
    public static func checkPatchFits(_ pairs: [ImagePair], patch: Int) throws {
        if let small = pairs.first(where: { $0.lr.width < patch || $0.lr.height < patch }) {
            throw DataError("\(small.name): LR image \(small.lr.width)×\(small.lr.height) (×\(small.scale)) is smaller than patch_size \(patch)")
        }
    }
}

/// One image of a dataset with its LR file per scale (none for the folder layout,
/// whose LR images are always generated).
public struct DatasetImage: Equatable, Sendable {
    public var name: String
    public var hrPath: String
    public var lrPaths: [Int: String]
}

/// How far a cache build has come.
public struct CacheBuildProgress: Sendable {
    /// Images of the build.
    public var total: Int
    /// Images checked so far, and of those, how many needed decoding.
    public var done = 0, built = 0
    /// Decoded pixel bytes written so far.
    public var bytes = 0
}

/// 64-bit FNV-1a of a string: a stable short tag for a path (Swift's `hashValue`
/// changes between runs).
func fnv1a(_ s: String) -> UInt64 {
    s.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
}
