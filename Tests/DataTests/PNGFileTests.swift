import Data
import Foundation
import XCTest

final class PNGFileTests: XCTestCase {
    /// Every colour type and depth decodes to the RGB the fixture script computed
    /// from the stored samples (conversions documented on `PNGFile`).
    func testConversionsToRGB() throws {
        let cases = ["rgb8", "rgb8_gamma1", "rgba8", "gray8", "grayalpha8", "gray1", "gray2", "gray4",
                     "palette4", "palette8_trns", "rgb16", "gray16", "rgba16"]
        for name in cases {
            let decoded = try ImageFile.read(FixtureFiles.path("png/\(name).png"))
            let expected = try FixtureFiles.rgb("png/\(name).rgb")
            XCTAssertEqual(decoded.width, expected.width, name)
            XCTAssertEqual(decoded.height, expected.height, name)
            let differ = zip(decoded.pixels, expected.pixels).filter { $0 != $1 }.count
            XCTAssertEqual(differ, 0, "\(name): \(differ) values differ")
        }
    }

    func testWriteThenReadIsIdentity() throws {
        let dir = try temporaryFolder(self)
        let img = SyntheticImages.image(index: 3, size: 40, seed: 9).cropped(width: 37, height: 23)
        try PNGFile.write(img, to: "\(dir)/out.png")
        XCTAssertEqual(try ImageFile.read("\(dir)/out.png"), img)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["out.png"], "no temporary file left behind")
    }

    func testBadFilesNameThePath() throws {
        let truncated = FixtureFiles.path("png/truncated.png"), text = FixtureFiles.path("png/notpng.png")
        assertDataError(try ImageFile.read(truncated), contains: [truncated, "truncated"])
        assertDataError(try ImageFile.read(text), contains: [text, "not a PNG"])
        assertDataError(try ImageFile.read("/nonexistent/a.png"), contains: ["/nonexistent/a.png"])
        let dir = try temporaryFolder(self)
        XCTAssertTrue(FileManager.default.createFile(atPath: "\(dir)/empty.png", contents: Data()))
        assertDataError(try ImageFile.read("\(dir)/empty.png"), contains: ["\(dir)/empty.png", "not a PNG"])
    }

    /// A PNG whose chunks are whole but whose image data is damaged is reported, not trapped.
    func testCorruptDataIsReported() throws {
        var bytes = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: FixtureFiles.path("png/rgb8.png"))))
        let idat = try XCTUnwrap((0..<(bytes.count - 4)).first { bytes[$0..<($0 + 4)].elementsEqual("IDAT".utf8) })
        for i in (idat + 6)..<(idat + 20) { bytes[i] ^= 0x5A }
        let path = try temporaryFolder(self) + "/damaged.png"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        assertDataError(try ImageFile.read(path), contains: [path])
    }
}
