import Data
import Foundation
import TestSupport
import XCTest

/// Where LR images come from: DIV2K's unknown track, the user's own paired folders
/// (PNG HR with JPEG LR), and the cache folder that keeps their decoded images apart.
final class DataSourceTests: XCTestCase {
    func testUnknownTrackReadsLRUnknownAndNeverMixesWithBicubic() throws {
        let root = try temporaryFolder(self)
        try SyntheticImages.writeDIV2K(root: root, count: 3, size: 48, scales: [2], seed: 5, degradation: .unknown)
        let unknown = Dataset(layout: .div2k, root: root, degradation: .unknown)
        let pairs = try unknown.load(scale: 2, range: 1...3)
        let hr = SyntheticImages.image(index: 1, size: 48, seed: 5)
        XCTAssertEqual(pairs[1].lr.image(), Degradation.unknown.makeLR(hr, by: 2))
        XCTAssertNotEqual(pairs[1].lr.image(), Bicubic.downscale(hr, by: 2))
        // The same root read as the bicubic track: its own cache folder, and the LR folder it lacks named.
        let bicubic = Dataset(layout: .div2k, root: root, generateLR: true)
        XCTAssertNotEqual(bicubic.cacheFolder, unknown.cacheFolder)
        XCTAssertEqual(try bicubic.load(scale: 2, range: 2...2)[0].lr.image(), Bicubic.downscale(hr, by: 2))
        XCTAssertEqual(try unknown.load(scale: 2, range: 2...2)[0].lr.image(), Degradation.unknown.makeLR(hr, by: 2))
    }

    func testUnknownTrackOnABicubicTreeNamesTheMissingFolder() throws {
        let root = try temporaryFolder(self)
        try SyntheticImages.writeDIV2K(root: root, count: 2, size: 40, scales: [2], seed: 3)
        assertDataError(try Dataset(layout: .div2k, root: root, degradation: .unknown).load(scale: 2, range: 1...2),
                        contains: ["\(root)/DIV2K_train_LR_unknown/X2", "folder not found", "LR_unknown"])
        assertDataError(try Dataset(layout: .folder, root: "\(root)/DIV2K_train_HR", degradation: .unknown).load(scale: 2, range: nil),
                        contains: ["\(root)/DIV2K_train_HR", "unknown degradation"])
        // One missing file of the unknown track is never made from its HR image.
        try SyntheticImages.writeDIV2K(root: root, count: 2, size: 40, scales: [2], seed: 3, degradation: .unknown)
        try FileManager.default.removeItem(atPath: "\(root)/DIV2K_train_LR_unknown/X2/0002x2.png")
        assertDataError(try Dataset(layout: .div2k, root: root, generateLR: true, degradation: .unknown).load(scale: 2, range: 1...2),
                        contains: ["0002x2.png", "cannot be made"])
    }

    func testStandInBlurKeepsFlatImagesFlat() {
        let flat = RGBImage(width: 24, height: 18, pixels: [UInt8](repeating: 77, count: 24 * 18 * 3))
        XCTAssertEqual(Degradation.unknown.makeLR(flat, by: 3).pixels, [UInt8](repeating: 77, count: 8 * 6 * 3))
    }

    /// HR PNGs with the user's LR JPEGs named {stem}x2.jpg: the cached LR pixels are the ones PIL and OpenCV read.
    func testPairedFoldersWithJPEGLRImages() throws {
        let root = try temporaryFolder(self)
        try createPairs(root, lr: ["rgb420", "rgb444", "grey"])
        let dataset = Dataset(layout: .paired, root: "\(root)/hr", paired: PairedFolders(lrRoot: "\(root)/lr/X{scale}", template: "{stem}x{scale}"))
        let pairs = try dataset.load(scale: 2, range: nil)
        XCTAssertEqual(pairs.map { ($0.name as NSString).lastPathComponent }, ["img1.png", "img2.png", "img3.png"])
        for (pair, fixture) in zip(pairs, ["rgb420", "rgb444", "grey"]) {
            XCTAssertEqual(pair.lr.image(), try FixtureFiles.rgb("jpeg/\(fixture).rgb"), fixture)
            XCTAssertEqual(pair.hr.width, 74)
        }
        XCTAssertTrue(dataset.cacheFolder.hasPrefix("\(root)/hr/srdist_cache/"))
        let other = Dataset(layout: .paired, root: "\(root)/hr", paired: PairedFolders(lrRoot: "\(root)/other/X{scale}", template: "{stem}x{scale}"))
        XCTAssertNotEqual(other.cacheFolder, dataset.cacheFolder)
    }

    func testPairedMismatchNamesBothSides() throws {
        let root = try temporaryFolder(self)
        try createPairs(root, lr: ["rgb420", "rgb444", "grey"])
        try FileManager.default.moveItem(atPath: "\(root)/lr/X2/img2x2.jpg", toPath: "\(root)/lr/X2/img2_x2.jpg")
        let paired = PairedFolders(lrRoot: "\(root)/lr/X{scale}", template: "{stem}x{scale}")
        assertDataError(try Dataset(layout: .paired, root: "\(root)/hr", paired: paired).load(scale: 2, range: nil),
                        contains: ["\(root)/lr/X2", "1 HR image(s)", "img2.png", "1 LR image(s) match no HR image (img2_x2.jpg)"])
        // A template that matches nothing: every name on both sides counted, the first few shown.
        assertDataError(try Dataset(layout: .paired, root: "\(root)/hr", paired: PairedFolders(lrRoot: "\(root)/lr/X2")).load(scale: 2, range: nil),
                        contains: ["3 HR image(s)", "named {stem}", "img1.png, img2.png, img3.png", "3 LR image(s)"])
        // A range picks HR images; LR images of the others are not strays.
        try FileManager.default.moveItem(atPath: "\(root)/lr/X2/img2_x2.jpg", toPath: "\(root)/lr/X2/img2x2.jpg")
        XCTAssertEqual(try Dataset(layout: .paired, root: "\(root)/hr", paired: paired).load(scale: 2, range: 3...3).count, 1)
        XCTAssertNotNil(PairedFolders.problem(template: "{name}x2"))
        XCTAssertNotNil(PairedFolders.problem(template: "{stem}/{stem}"))
        XCTAssertNil(PairedFolders.problem(template: "{stem}_LR{scale}"))
    }

    /// `root/hr/img<i>.png` (74×58) and `root/lr/X2/img<i>x2.jpg`, the JPEG fixtures named by `lr`.
    func createPairs(_ root: String, lr: [String]) throws {
        for folder in ["hr", "lr/X2"] { try FileManager.default.createDirectory(atPath: "\(root)/\(folder)", withIntermediateDirectories: true) }
        for (i, fixture) in lr.enumerated() {
            try PNGFile.write(SyntheticImages.image(index: i, width: 74, height: 58, seed: 2), to: "\(root)/hr/img\(i + 1).png")
            try FileManager.default.copyItem(atPath: FixtureFiles.path("jpeg/\(fixture).jpg"), toPath: "\(root)/lr/X2/img\(i + 1)x2.jpg")
        }
    }
}
