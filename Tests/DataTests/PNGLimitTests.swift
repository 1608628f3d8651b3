import Data
import Foundation
import TestSupport
import XCTest

/// Hostile PNG headers are refused from the IHDR, before anything is allocated for
/// them; odd but valid images still decode.
final class PNGLimitTests: XCTestCase {
    /// A 74-byte file claiming 60000×60000: decoding it naively would allocate 14 GB.
    func testHeaderBombIsRefusedBeforeAllocating() throws {
        let path = try temporaryFolder(self) + "/bomb.png"
        try CraftedPNG.write(to: path, width: 60_000, height: 60_000)
        assertDataError(try PNGFile.read(path), contains: [path, "60000×60000", "limit of 268435456", "data.max_image_pixels"])
        // Within the pixel limit, the compressed data still cannot hold the claimed image.
        assertDataError(try PNGFile.read(path, maxPixels: Int.max), contains: [path, "cannot hold 60000×60000"])
    }

    func testSizesThatOverflowOrAreInvalid() throws {
        let dir = try temporaryFolder(self)
        for (w, h, expected) in [(UInt32.max, UInt32.max, "invalid"), (0, 10, "invalid"), (0x7FFF_FFFF, 0x7FFF_FFFF, "limit")] {
            let path = "\(dir)/\(w)x\(h).png"
            try CraftedPNG.write(to: path, width: w, height: h)
            assertDataError(try PNGFile.read(path, maxPixels: expected == "limit" ? 1 << 40 : PNGFile.defaultMaxPixels),
                            contains: [path, expected])
        }
        let badDepth = "\(dir)/depth.png"
        try Data(CraftedPNG.bytes(width: 4, height: 4, bitDepth: 3)).write(to: URL(fileURLWithPath: badDepth))
        assertDataError(try PNGFile.read(badDepth), contains: [badDepth, "bit depth 3"])
    }

    func testALowerLimitRefusesARealImage() throws {
        let path = FixtureFiles.path("png/rgb8.png")
        let image = try PNGFile.read(path)
        assertDataError(try PNGFile.read(path, maxPixels: image.width * image.height - 1), contains: [path, "limit"])
        XCTAssertEqual(try PNGFile.read(path, maxPixels: image.width * image.height), image)
    }

    /// 1×1, 1×5000 and 5000×1 images, in a folder whose path has spaces.
    func testExtremeAspectRatiosAndPathsWithSpaces() throws {
        let dir = try temporaryFolder(self) + "/with space"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (w, h) in [(1, 1), (1, 5000), (5000, 1)] {
            let image = RGBImage(width: w, height: h, pixels: (0..<(w * h * 3)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            let path = "\(dir)/a \(w)x\(h).png"
            try PNGFile.write(image, to: path)
            XCTAssertEqual(try PNGFile.read(path), image, "\(w)×\(h)")
        }
    }
}
