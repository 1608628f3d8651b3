import Data
import Foundation
import XCTest

final class DatasetTests: XCTestCase {
    func testDIV2KLayoutReadsPairsInIndexOrder() throws {
        let root = try temporaryFolder(self)
        try SyntheticImages.writeDIV2K(root: root, count: 5, size: 50, scales: [2], seed: 3)
        let pairs = try Dataset(layout: .div2k, root: root).load(scale: 2, range: 2...4, threads: 2)
        XCTAssertEqual(pairs.map(\.name), (2...4).map { "\(root)/DIV2K_train_HR/000\($0).png" })
        let hr = SyntheticImages.image(index: 2, size: 50, seed: 3)
        XCTAssertEqual(pairs[1].hr.image(), hr)
        XCTAssertEqual(pairs[1].lr.image(), Bicubic.downscale(hr, by: 2))
    }

    func testDIV2KValidImagesMayLiveInTheValidFolders() throws {
        let root = try temporaryFolder(self)
        try SyntheticImages.writeDIV2K(root: root, count: 2, size: 40, scales: [2], seed: 3)
        let valid = SyntheticImages.image(index: 7, size: 40, seed: 3)
        try FileManager.default.createDirectory(atPath: "\(root)/DIV2K_valid_LR_bicubic/X2", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(root)/DIV2K_valid_HR", withIntermediateDirectories: true)
        try PNGFile.write(valid, to: "\(root)/DIV2K_valid_HR/0801.png")
        try PNGFile.write(Bicubic.downscale(valid, by: 2), to: "\(root)/DIV2K_valid_LR_bicubic/X2/0801x2.png")
        let pairs = try Dataset(layout: .div2k, root: root).load(scale: 2, range: 801...801)
        XCTAssertEqual(pairs.map { $0.hr.image() }, [valid])
    }

    func testBenchmarkLayoutAndHRCroppedToTheScale() throws {
        let root = try temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: "\(root)/HR", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(root)/LR_bicubic/X3", withIntermediateDirectories: true)
        // 50 is no multiple of 3: the LR is floor(50/3) = 16 wide, the HR is cut to 48.
        let names = ["woman", "baby", "bird"]
        for (i, name) in names.enumerated() {
            let hr = SyntheticImages.image(index: i, size: 50, seed: 1)
            try PNGFile.write(hr, to: "\(root)/HR/\(name).png")
            try PNGFile.write(Bicubic.downscale(hr, by: 3), to: "\(root)/LR_bicubic/X3/\(name)x3.png")
        }
        let pairs = try Dataset(layout: .benchmark, root: root).load(scale: 3, range: nil)
        XCTAssertEqual(pairs.map { ($0.name as NSString).lastPathComponent }, ["baby.png", "bird.png", "woman.png"])
        XCTAssertEqual(pairs[0].hr.width, 48)
        XCTAssertEqual(pairs[0].lr.width, 16)
        XCTAssertEqual(pairs[0].hr.image(), SyntheticImages.image(index: 1, size: 50, seed: 1).cropped(width: 48, height: 48))
    }

    func testFolderLayoutGeneratesLR() throws {
        let root = try temporaryFolder(self)
        for i in 0..<3 { try PNGFile.write(SyntheticImages.image(index: i, size: 36, seed: 5), to: "\(root)/img\(i).png") }
        let pairs = try Dataset(layout: .folder, root: root).load(scale: 4, range: 2...3)
        XCTAssertEqual(pairs.count, 2)
        XCTAssertEqual(pairs[0].lr.image(), Bicubic.downscale(SyntheticImages.image(index: 1, size: 36, seed: 5), by: 4))
    }

    func testMissingLRIsReportedOrGenerated() throws {
        let root = try temporaryFolder(self)
        try SyntheticImages.writeDIV2K(root: root, count: 2, size: 40, scales: [2], seed: 3)
        let lrPath = "\(root)/DIV2K_train_LR_bicubic/X2/0002x2.png"
        try FileManager.default.removeItem(atPath: lrPath)
        assertDataError(try Dataset(layout: .div2k, root: root).load(scale: 2, range: 1...2), contains: [lrPath, "generate_lr"])
        let pairs = try Dataset(layout: .div2k, root: root, generateLR: true).load(scale: 2, range: 1...2)
        XCTAssertEqual(pairs[1].lr.image(), Bicubic.downscale(SyntheticImages.image(index: 1, size: 40, seed: 3), by: 2))
        XCTAssertFalse(FileManager.default.fileExists(atPath: lrPath), "generated LR images go to the cache, not the dataset")
    }

    func testBadInputsNameTheFile() throws {
        let root = try temporaryFolder(self)
        try SyntheticImages.writeDIV2K(root: root, count: 3, size: 40, scales: [2], seed: 3)
        // data_range past the images present
        assertDataError(try Dataset(layout: .div2k, root: root).load(scale: 2, range: 1...4), contains: ["\(root)/DIV2K_train_HR/0004.png", "not found"])
        // HR/LR sizes that do not match the scale
        let lrPath = "\(root)/DIV2K_train_LR_bicubic/X2/0002x2.png"
        try PNGFile.write(RGBImage(width: 19, height: 20), to: lrPath)
        assertDataError(try Dataset(layout: .div2k, root: root).load(scale: 2, range: 1...3), contains: [lrPath, "19×20", "20×20"])
        // a truncated PNG
        let hrPath = "\(root)/DIV2K_train_HR/0003.png"
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: hrPath))
        XCTAssertTrue(FileManager.default.createFile(atPath: hrPath, contents: bytes.prefix(bytes.count / 2)))
        assertDataError(try Dataset(layout: .div2k, root: root).load(scale: 2, range: 3...3), contains: [hrPath, "truncated"])
        // missing and empty folders
        assertDataError(try Dataset(layout: .div2k, root: "\(root)/nope").load(scale: 2, range: 1...1), contains: ["\(root)/nope/DIV2K_train_HR", "not found"])
        let empty = "\(root)/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        assertDataError(try Dataset(layout: .folder, root: empty).load(scale: 2, range: nil), contains: [empty, "no PNG"])
        assertDataError(try Dataset(layout: .benchmark, root: empty).load(scale: 2, range: nil), contains: ["\(empty)/HR", "not found"])
        // a range past a folder's images
        assertDataError(try Dataset(layout: .folder, root: "\(root)/DIV2K_train_HR").load(scale: 2, range: 2...9), contains: ["\(root)/DIV2K_train_HR", "holds 3 images"])
    }

    func testImageSmallerThanThePatchIsNamed() throws {
        let pair = ImagePair(name: "/data/tiny.png", hr: RGBImage(width: 40, height: 40), lr: RGBImage(width: 20, height: 20), scale: 2)
        assertDataError(try Dataset.checkPatchFits([pair], patch: 24), contains: ["/data/tiny.png", "20×20", "24"])
        XCTAssertNoThrow(try Dataset.checkPatchFits([pair], patch: 20))
    }

    func testDataRangeParsing() {
        XCTAssertEqual(DataRange("1-800/801-810"), DataRange(train: 1...800, validation: 801...810))
        XCTAssertEqual(DataRange("3-3"), DataRange(train: 3...3))
        for bad in ["", "1-", "0-5", "5-1", "1-2/3", "a-b", "1-2/3-4/5-6", "1-2/"] { XCTAssertNil(DataRange(bad), bad) }
        XCTAssertEqual(DataRange("1-800/801-810")?.description, "1-800/801-810")
    }
}
