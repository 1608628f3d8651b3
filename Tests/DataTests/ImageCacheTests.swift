import Data
import Foundation
import XCTest

final class ImageCacheTests: XCTestCase {
    /// Builds a 3-image DIV2K tree and loads it once, so the cache is filled.
    func makeCachedTree() throws -> (root: String, dataset: Dataset, pairs: [ImagePair]) {
        let root = try temporaryFolder(self)
        try SyntheticImages.writeDIV2K(root: root, count: 3, size: 40, scales: [2], seed: 4)
        let dataset = Dataset(layout: .div2k, root: root, cacheDir: root + "/cache")
        return (root, dataset, try dataset.load(scale: 2, range: 1...3))
    }

    func cacheFile(_ dataset: Dataset, _ name: String) -> String { "\(dataset.cacheFolder)/\(name).x2.bin" }

    /// The second load must come from the cache: with the PNG bytes replaced by
    /// garbage of the same size and mtime, it still succeeds with the same pixels.
    func testSecondLoadSkipsDecoding() throws {
        let (root, dataset, first) = try makeCachedTree()
        XCTAssertTrue(FileManager.default.fileExists(atPath: cacheFile(dataset, "0002")))
        let hrPath = "\(root)/DIV2K_train_HR/0002.png"
        try overwriteKeepingStamp(hrPath)
        XCTAssertThrowsError(try PNGFile.read(hrPath))
        XCTAssertEqual(try dataset.load(scale: 2, range: 1...3).map(\.hr), first.map(\.hr))
    }

    func testChangedSourceInvalidates() throws {
        let (root, dataset, _) = try makeCachedTree()
        let hrPath = "\(root)/DIV2K_train_HR/0001.png", lrPath = "\(root)/DIV2K_train_LR_bicubic/X2/0001x2.png"
        let replacement = SyntheticImages.image(index: 9, size: 40, seed: 4)
        try PNGFile.write(replacement, to: hrPath)
        try PNGFile.write(Bicubic.downscale(replacement, by: 2), to: lrPath)
        XCTAssertEqual(try dataset.load(scale: 2, range: 1...1)[0].hr, replacement)
        // Only the mtime changes: still re-read (and here found corrupt).
        try overwriteKeepingStamp(hrPath)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)], ofItemAtPath: hrPath)
        assertDataError(try dataset.load(scale: 2, range: 1...1), contains: [hrPath])
    }

    func testHalfWrittenCacheIsRebuilt() throws {
        let (_, dataset, first) = try makeCachedTree()
        let path = cacheFile(dataset, "0003")
        let full = try XCTUnwrap(FileManager.default.contents(atPath: path))
        for cut in [10, full.count / 2, full.count - 1] {
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: full.prefix(cut)))
            XCTAssertNil(try ImageCache.read(path), "a cache cut at \(cut) bytes must not be read")
            XCTAssertEqual(try dataset.load(scale: 2, range: 3...3)[0].lr, first[2].lr)
            XCTAssertEqual(FileManager.default.contents(atPath: path), full, "rebuilt")
        }
    }

    func testCacheFromAnotherVersionIsRefused() throws {
        let (_, dataset, _) = try makeCachedTree()
        let path = cacheFile(dataset, "0001")
        var bytes = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: path)))
        bytes[8] = 99  // the version field follows the 8-byte magic
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        assertDataError(try dataset.load(scale: 2, range: 1...1), contains: [path, "version 99"])
    }

    func testUnwritableCacheFolderIsNamed() throws {
        let root = try temporaryFolder(self)
        try SyntheticImages.writeDIV2K(root: root, count: 1, size: 40, scales: [2], seed: 4)
        XCTAssertTrue(FileManager.default.createFile(atPath: root + "/file", contents: Data()))
        let dataset = Dataset(layout: .div2k, root: root, cacheDir: root + "/file")
        assertDataError(try dataset.load(scale: 2, range: 1...1), contains: [root + "/file", "cache_dir"])
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
