@testable import Data
import Foundation
import TestSupport
import XCTest

/// JPEG decoding: the pixels PIL and OpenCV read (fixtures from tools/reference/jpeg_fixtures.py),
/// and one line for every file srdist does not read.
final class JPEGFileTests: XCTestCase {
    func testPixelsEqualPILAndOpenCV() throws {
        for name in ["rgb420", "rgb422_progressive", "rgb444", "grey"] {
            let decoded = try ImageFile.read(FixtureFiles.path("jpeg/\(name).jpg"))
            let expected = try FixtureFiles.rgb("jpeg/\(name).rgb")
            XCTAssertEqual(decoded.width, 37, name)
            XCTAssertEqual(decoded.height, 29, name)
            XCTAssertEqual(decoded.pixels, expected.pixels, name)
        }
    }

    func testCMYKAndTwelveBitAreRefused() throws {
        let cmyk = FixtureFiles.path("jpeg/cmyk.jpg")
        assertDataError(try ImageFile.read(cmyk), contains: [cmyk, "CMYK"])
        assertDataError(try JPEGFile.decode(CraftedJPEG.baseline(precision: 12), path: "deep.jpg"), contains: ["deep.jpg", "precision 12"])
    }

    func testTruncatedAndHugeHeadersAreRefused() throws {
        let whole = [UInt8](try Data(contentsOf: URL(fileURLWithPath: FixtureFiles.path("jpeg/rgb420.jpg"))))
        for cut in [whole.count - 2, whole.count / 2, 200, 20, 3] {
            assertDataError(try JPEGFile.decode(Array(whole.prefix(cut)), path: "cut.jpg"), contains: ["cut.jpg", "JPEG"])
        }
        assertDataError(try JPEGFile.decode(CraftedJPEG.baseline(width: 65_000, height: 65_000), path: "big.jpg"),
                        contains: ["big.jpg", "65000×65000", "limit of 268435456"])
        // The limit is checked from the header: one block of data for a 64-Mpx frame is refused at 64 Mpx − 1.
        assertDataError(try JPEGFile.decode(CraftedJPEG.baseline(width: 8192, height: 8192), path: "big.jpg", maxPixels: 8192 * 8192 - 1),
                        contains: ["big.jpg", "limit"])
        XCTAssertEqual(try JPEGFile.decode(CraftedJPEG.baseline(), path: "flat.jpg").pixels, [UInt8](repeating: 128, count: 8 * 8 * 3))
    }

    func testProgressiveFileWithThousandsOfScansIsRefused() {
        assertDataError(try JPEGFile.decode(CraftedJPEG.manyScans(), path: "scans.jpg"), contains: ["scans.jpg", "500 scans"])
    }

    func testFormatIsReadFromTheBytesAndMustMatchTheName() throws {
        let dir = try temporaryFolder(self)
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: FixtureFiles.path("jpeg/rgb444.jpg")))
        let png = try Data(contentsOf: URL(fileURLWithPath: FixtureFiles.path("png/rgb8.png")))
        try jpeg.write(to: URL(fileURLWithPath: "\(dir)/photo.png"))
        try png.write(to: URL(fileURLWithPath: "\(dir)/picture.JPG"))
        try jpeg.write(to: URL(fileURLWithPath: "\(dir)/photo.data"))
        assertDataError(try ImageFile.read("\(dir)/photo.png"), contains: ["\(dir)/photo.png", "holds a JPEG image but is named as a PNG"])
        assertDataError(try ImageFile.read("\(dir)/picture.JPG"), contains: ["\(dir)/picture.JPG", "holds a PNG image but is named as a JPEG"])
        XCTAssertEqual(try ImageFile.read("\(dir)/photo.data"), try ImageFile.read(FixtureFiles.path("jpeg/rgb444.jpg")))
        try Data("GIF89a".utf8).write(to: URL(fileURLWithPath: "\(dir)/anim.gif"))
        assertDataError(try ImageFile.read("\(dir)/anim.gif"), contains: ["\(dir)/anim.gif", "not a PNG or JPEG"])
    }
}

/// The frame size read from a JPEG's header without decoding: what a cache entry of a
/// JPEG source is checked against.
final class JPEGFrameSizeTests: XCTestCase {
    func size(of bytes: [UInt8]) throws -> [Int]? {
        let path = try temporaryFolder(self) + "/a.jpg"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        return JPEGFile.frameSize(fd).map { [$0.width, $0.height] }
    }

    func testFrameSizeFollowsTheMarkers() throws {
        for name in ["rgb420", "rgb422_progressive", "grey", "cmyk"] {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: FixtureFiles.path("jpeg/\(name).jpg"))))
            XCTAssertEqual(try size(of: bytes), [37, 29], name)
        }
        // An APP1 segment of 60 kB before the frame header (as a large EXIF block) is walked over.
        let flat = CraftedJPEG.baseline(width: 640, height: 480)
        let app1 = [0xFF, 0xE1, 0xEA, 0x62] + [UInt8](repeating: 0x45, count: 0xEA62 - 2)
        XCTAssertEqual(try size(of: Array(flat.prefix(2)) + app1 + flat.dropFirst(2)), [640, 480])
        XCTAssertNil(try size(of: Array(flat.prefix(40))))
        XCTAssertNil(try size(of: [0xFF, 0xD8, 0xFF, 0xDA, 0, 2]))
    }
}
