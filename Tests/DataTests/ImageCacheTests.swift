import Data
import Foundation
import TestSupport
import XCTest

final class ImageCacheTests: XCTestCase {
    /// Builds a 3-image DIV2K tree and loads it once, so the cache is filled.
    func makeCachedTree(scales: [Int] = [2]) throws -> (root: String, dataset: Dataset, pairs: [ImagePair]) {
        let root = try temporaryFolder(self)
        try SyntheticImages.writeDIV2K(root: root, count: 3, size: 48, scales: scales, seed: 4)
        let dataset = Dataset(layout: .div2k, root: root, cacheDir: root + "/cache")
        return (root, dataset, try dataset.load(scale: scales[0], range: 1...3))
    }

    func cacheFile(_ dataset: Dataset, _ name: String, scale: Int? = 2) -> String {
        "\(dataset.cacheFolder)/\(ImageCache.fileName(name, scale: scale))"
    }

    /// The second load must come from the cache: with the PNG bytes replaced by
    /// garbage of the same size and mtime, it still succeeds with the same pixels.
    func testSecondLoadSkipsDecoding() throws {
        let (root, dataset, first) = try makeCachedTree()
        XCTAssertTrue(FileManager.default.fileExists(atPath: cacheFile(dataset, "0002", scale: nil)))
        XCTAssertTrue(FileManager.default.fileExists(atPath: cacheFile(dataset, "0002")))
        let hrPath = "\(root)/DIV2K_train_HR/0002.png"
        try overwriteKeepingStamp(hrPath)
        XCTAssertThrowsError(try PNGFile.read(hrPath))
        XCTAssertEqual(try dataset.load(scale: 2, range: 1...3).map { $0.hr.image() }, first.map { $0.hr.image() })
    }

    /// One HR file per image serves every scale; only the LR is per scale.
    func testScalesShareOneHRFile() throws {
        let root = try temporaryFolder(self)
        try SyntheticImages.writeDIV2K(root: root, count: 2, size: 48, scales: [2, 3, 4], seed: 4)
        let dataset = Dataset(layout: .div2k, root: root, cacheDir: root + "/cache")
        let images = try dataset.images(scales: [2, 3, 4], range: 1...2)
        let report = try dataset.build(images, scales: [2, 3, 4])
        XCTAssertEqual(report.built, 2)
        XCTAssertEqual(report.bytes, 2 * 48 * 48 * 3 + 2 * 3 * (24 * 24 + 16 * 16 + 12 * 12))
        let files = try FileManager.default.contentsOfDirectory(atPath: dataset.cacheFolder).sorted()
        XCTAssertEqual(files, ["0001.hr.srd", "0001.x2.srd", "0001.x3.srd", "0001.x4.srd",
                               "0002.hr.srd", "0002.x2.srd", "0002.x3.srd", "0002.x4.srd"])
        let pairs = try dataset.open(images, scales: [2, 3, 4])
        XCTAssertEqual(pairs[3]![1].hr.base, pairs[2]![1].hr.base, "the scales view the same mapped HR pixels")
        XCTAssertEqual(pairs[3]![1].lr.image(), Bicubic.downscale(SyntheticImages.image(index: 1, size: 48, seed: 4), by: 3))
        XCTAssertEqual(try dataset.build(images, scales: [2, 3, 4]).built, 0, "a second build decodes nothing")
    }

    func testChangedSourceInvalidates() throws {
        let (root, dataset, _) = try makeCachedTree()
        let hrPath = "\(root)/DIV2K_train_HR/0001.png", lrPath = "\(root)/DIV2K_train_LR_bicubic/X2/0001x2.png"
        let replacement = SyntheticImages.image(index: 9, size: 48, seed: 4)
        try PNGFile.write(replacement, to: hrPath)
        try PNGFile.write(Bicubic.downscale(replacement, by: 2), to: lrPath)
        XCTAssertEqual(try dataset.load(scale: 2, range: 1...1)[0].hr.image(), replacement)
        // Only the mtime changes: still re-read (and here found corrupt).
        try overwriteKeepingStamp(hrPath)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)], ofItemAtPath: hrPath)
        assertDataError(try dataset.load(scale: 2, range: 1...1), contains: [hrPath])
    }

    /// A truncated cache file (a killed writer, a full disk, a copy cut short) is
    /// never mapped as it is: it is rebuilt, whole.
    func testHalfWrittenCacheIsRebuilt() throws {
        let (_, dataset, first) = try makeCachedTree()
        for path in [cacheFile(dataset, "0003"), cacheFile(dataset, "0003", scale: nil)] {
            let full = try XCTUnwrap(FileManager.default.contents(atPath: path))
            for cut in [10, full.count / 2, full.count - 1] {
                XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: full.prefix(cut)))
                XCTAssertNil(try ImageCache.open(path), "a cache cut at \(cut) bytes must not be mapped")
                let pair = try dataset.load(scale: 2, range: 3...3)[0]
                XCTAssertEqual(pair.lr.image(), first[2].lr.image())
                XCTAssertEqual(pair.hr.image(), first[2].hr.image())
                XCTAssertEqual(FileManager.default.contents(atPath: path), full, "rebuilt")
            }
        }
    }

    /// An entry edited in place so that its header disagrees with its source (width and
    /// height swapped: same length, same end marker) is rebuilt, never trained on.
    func testEntryWhoseHeaderDisagreesWithItsSourceIsRebuilt() throws {
        let root = try temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: root + "/HR", withIntermediateDirectories: true)
        let pixels = (0..<(40 * 24 * 3)).map { UInt8(truncatingIfNeeded: $0 * 37 &+ $0 / 7) }
        try PNGFile.write(RGBImage(width: 40, height: 24, pixels: pixels), to: root + "/HR/a.png")
        let dataset = Dataset(layout: .folder, root: root + "/HR", generateLR: true, cacheDir: root + "/cache")
        let first = try dataset.load(scale: 2, range: nil)
        for path in [cacheFile(dataset, "a", scale: nil), cacheFile(dataset, "a")] {
            let whole = try XCTUnwrap(FileManager.default.contents(atPath: path))
            var bytes = [UInt8](whole)
            bytes.replaceSubrange(48..<56, with: Array(bytes[52..<56] + bytes[48..<52]))
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            let again = try dataset.load(scale: 2, range: nil)
            XCTAssertEqual(again.map { $0.hr.image() }, first.map { $0.hr.image() })
            XCTAssertEqual(again.map { $0.lr.image() }, first.map { $0.lr.image() })
            XCTAssertEqual(FileManager.default.contents(atPath: path), whole, "rebuilt from the source")
        }
    }

    func testCacheFromAnotherVersionIsRefused() throws {
        let (_, dataset, _) = try makeCachedTree()
        let path = cacheFile(dataset, "0001")
        var bytes = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: path)))
        bytes[8] = 99  // the version field follows the 8-byte magic
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        assertDataError(try dataset.load(scale: 2, range: 1...1), contains: [path, "version 99", "cache_dir"])
    }

    /// A header claiming an absurd size is refused before anything is trusted.
    func testForeignHeaderIsRefused() throws {
        let (_, dataset, _) = try makeCachedTree()
        let path = cacheFile(dataset, "0002")
        var bytes = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: path)))
        for i in 48..<56 { bytes[i] = 0xFF }  // width and height
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        assertDataError(try dataset.load(scale: 2, range: 1...3), contains: [path, "4294967295×4294967295"])
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 100)))
        assertDataError(try dataset.load(scale: 2, range: 1...3), contains: [path, "not an srdist image cache"])
    }

    func testUnwritableCacheFolderIsNamed() throws {
        let root = try temporaryFolder(self)
        try SyntheticImages.writeDIV2K(root: root, count: 1, size: 40, scales: [2], seed: 4)
        XCTAssertTrue(FileManager.default.createFile(atPath: root + "/file", contents: Data()))
        let dataset = Dataset(layout: .div2k, root: root, cacheDir: root + "/file")
        assertDataError(try dataset.load(scale: 2, range: 1...1), contains: [root + "/file", "cache_dir"])
    }

    /// A read-only filesystem (a dataset folder mounted read-only on a cluster): one
    /// line naming `data.cache_dir` when the cache must be built, and a cache built
    /// beforehand is read from it as it is.
    func testReadOnlyCacheFolder() throws {
        let root = try temporaryFolder(self)
        try SyntheticImages.writeDIV2K(root: root, count: 2, size: 40, scales: [2], seed: 4)
        let mount = try tmpfs(root + "/ro", size: "4m")
        let dataset = Dataset(layout: .div2k, root: root, cacheDir: mount)
        let built = try dataset.load(scale: 2, range: 1...2).map { $0.lr.image() }
        XCTAssertTrue(try Tmpfs.remount(mount, "ro"))
        XCTAssertEqual(try dataset.load(scale: 2, range: 1...2).map { $0.lr.image() }, built, "a complete cache is read from a read-only folder")
        try PNGFile.write(SyntheticImages.image(index: 5, size: 40, seed: 4), to: "\(root)/DIV2K_train_HR/0002.png")
        assertDataError(try dataset.load(scale: 2, range: 1...2), contains: [dataset.cacheFolder, "data.cache_dir"])
    }

    /// The disk fills while the cache is built: one line naming the file, no partial
    /// file left to be mapped, and a later build with room completes.
    func testDiskFullDuringBuild() throws {
        let root = try temporaryFolder(self)
        try SyntheticImages.writeDIV2K(root: root, count: 4, size: 64, scales: [2], seed: 4)
        // Room for about two of the four images (64·64·3 + 32·32·3 bytes each, in 4 KiB pages).
        let mount = try tmpfs(root + "/small", size: "40k")
        let dataset = Dataset(layout: .div2k, root: root, cacheDir: mount)
        assertDataError(try dataset.load(scale: 2, range: 1...4), contains: [dataset.cacheFolder, "No space left on device"])
        let left = try FileManager.default.contentsOfDirectory(atPath: dataset.cacheFolder)
        XCTAssertFalse(left.contains { $0.contains(".tmp-") }, "temporary files are removed: \(left)")
        for name in left { XCTAssertNotNil(try ImageCache.open("\(dataset.cacheFolder)/\(name)"), "\(name) is complete") }
        XCTAssertTrue(try Tmpfs.remount(mount, "size=1m"))
        XCTAssertEqual(try dataset.load(scale: 2, range: 1...4).count, 4)
    }

    /// Two jobs building the same cache at once both end with correct pixels.
    func testConcurrentBuildersBothSucceed() throws {
        let root = try temporaryFolder(self)
        try SyntheticImages.writeDIV2K(root: root, count: 6, size: 48, scales: [2, 3], seed: 4)
        let dataset = Dataset(layout: .div2k, root: root, cacheDir: root + "/cache")
        let images = try dataset.images(scales: [2, 3], range: 1...6)
        let results = UnsafeMutableBufferPointer<Result<[Int: [ImagePair]], Error>?>.allocate(capacity: 4)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            results[i] = Result { try dataset.build(images, scales: [2, 3]); return try dataset.open(images, scales: [2, 3]) }
        }
        for r in results {
            let pairs = try r!.get()
            for i in 0..<6 {
                let hr = SyntheticImages.image(index: i, size: 48, seed: 4)
                XCTAssertEqual(pairs[2]![i].hr.image(), hr)
                XCTAssertEqual(pairs[3]![i].lr.image(), Bicubic.downscale(hr, by: 3))
            }
        }
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dataset.cacheFolder).contains { $0.contains(".tmp-") })
    }

    /// A process that finds files missing after the cooperative build (a node-local
    /// cache the other node filled) builds them itself when it opens the set.
    func testOpenBuildsWhatIsMissing() throws {
        let root = try temporaryFolder(self)
        try SyntheticImages.writeDIV2K(root: root, count: 4, size: 48, scales: [2], seed: 4)
        let dataset = Dataset(layout: .div2k, root: root, cacheDir: root + "/cache")
        let images = try dataset.images(scales: [2], range: 1...4)
        try dataset.build([images[0], images[2]], scales: [2])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dataset.cacheFolder).count, 4)
        let pairs = try XCTUnwrap(try dataset.open(images, scales: [2])[2])
        XCTAssertEqual(pairs.map { $0.lr.image() }, (0..<4).map { Bicubic.downscale(SyntheticImages.image(index: $0, size: 48, seed: 4), by: 2) })
    }

    /// Patches copied from the maps equal patches from the same pixels in memory:
    /// the data stream does not depend on where the pixels live.
    func testMappedPatchesEqualInMemoryPatches() throws {
        let (_, _, mapped) = try makeCachedTree()
        let inMemory = mapped.map { ImagePair(name: $0.name, hr: $0.hr.image(), lr: $0.lr.image(), scale: 2) }
        func batch(_ pairs: [ImagePair]) -> [Float] {
            let sampler = PatchSampler(pairs: pairs, patch: 12, seed: 3)
            var lr = [Float](repeating: 0, count: 8 * sampler.lrCount), hr = [Float](repeating: 0, count: 8 * sampler.hrCount)
            lr.withUnsafeMutableBufferPointer { l in
                hr.withUnsafeMutableBufferPointer { h in sampler.fill(step: 4, samples: 0..<8, lr: l.baseAddress!, hr: h.baseAddress!) }
            }
            return lr + hr
        }
        XCTAssertEqual(batch(mapped), batch(inMemory))
    }

    /// A builder killed mid-write leaves a temporary file; an hour later the next
    /// build removes it (a younger one may belong to a live builder).
    func testOldTemporaryFilesAreRemoved() throws {
        let (_, dataset, _) = try makeCachedTree()
        let (old, young) = ("\(dataset.cacheFolder)/0001.hr.srd.tmp-1-a", "\(dataset.cacheFolder)/0002.hr.srd.tmp-1-b")
        for path in [old, young] { XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3]))) }
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: old)
        _ = try dataset.load(scale: 2, range: 1...3)
        XCTAssertFalse(FileManager.default.fileExists(atPath: old))
        XCTAssertTrue(FileManager.default.fileExists(atPath: young))
    }

    /// A fresh tmpfs of `size` (mount's notation) at `path`, unmounted when the test ends
    /// (before its folder is removed: teardown blocks run last-added first).
    func tmpfs(_ path: String, size: String) throws -> String {
        if let reason = try Tmpfs.mount(path, size: size) { throw XCTSkip(missingCapability("a tmpfs mount", reason)) }
        addTeardownBlock { Tmpfs.unmount(path) }
        return path
    }

    /// Replaces a file's bytes with garbage, keeping its size and exact
    /// modification time (nanoseconds: Foundation's Date would round them).
    func overwriteKeepingStamp(_ path: String) throws {
        var st = stat()
        XCTAssertEqual(stat(path, &st), 0)
        let before = FileStamp(path: path)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x42, count: Int(st.st_size))))
        var times = [st.st_atim, st.st_mtim]
        XCTAssertEqual(utimensat(AT_FDCWD, path, &times, 0), 0)
        XCTAssertEqual(FileStamp(path: path), before)
    }
}
