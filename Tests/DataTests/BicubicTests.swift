import Data
import Foundation
import XCTest

final class BicubicTests: XCTestCase {
    /// Bit-exact against tools/reference/bicubic.py, which rounds between the passes
    /// as MATLAB does (those fixtures differ from a round-once resize in 17–1498
    /// values per case, so this test tells the two apart).
    func testMatchesNumPyReferenceExactly() throws {
        let cases: [(String, String, Double)] = [
            ("down2_36x24", "input_36x24", 1 / 2), ("down3_36x24", "input_36x24", 1 / 3), ("down4_36x24", "input_36x24", 1 / 4),
            ("down2_37x29", "input_37x29", 1 / 2), ("down3_37x29", "input_37x29", 1 / 3), ("down4_37x29", "input_37x29", 1 / 4),
            ("up2_13x10", "input_13x10", 2), ("up3_13x10", "input_13x10", 3), ("up4_13x10", "input_13x10", 4),
        ]
        for (name, input, scale) in cases {
            let src = try FixtureFiles.rgb("bicubic/\(input).rgb")
            let expected = try FixtureFiles.rgb("bicubic/\(name).rgb")
            // MATLAB's output size: ceil(size × scale).
            let out = Bicubic.resize(src, scale: scale, outWidth: Int((Double(src.width) * scale).rounded(.up)),
                                     outHeight: Int((Double(src.height) * scale).rounded(.up)))
            XCTAssertEqual(out.width, expected.width, name)
            XCTAssertEqual(out.height, expected.height, name)
            let differ = zip(out.pixels, expected.pixels).filter { $0 != $1 }.count
            XCTAssertEqual(differ, 0, "\(name): \(differ) values differ from the reference")
        }
    }

    func testDownscaleCropsToAMultipleOfTheScale() throws {
        let src = try FixtureFiles.rgb("bicubic/input_36x24.rgb")
        let expected = try FixtureFiles.rgb("bicubic/down3_36x24.rgb")
        let bigger = RGBImage(width: 38, height: 26, pixels: (0..<26).flatMap { y in
            (0..<38).flatMap { x in x < 36 && y < 24 ? (0..<3).map { src[x, y, $0] } : [255, 0, 0] }
        })
        XCTAssertEqual(Bicubic.downscale(bigger, by: 3), expected)
    }

    func testConstantImageStaysConstant() {
        let flat = RGBImage(width: 30, height: 18, pixels: [UInt8](repeating: 77, count: 30 * 18 * 3))
        for s in 2...4 {
            XCTAssertTrue(Bicubic.downscale(flat, by: s).pixels.allSatisfy { $0 == 77 })
            XCTAssertTrue(Bicubic.upscale(flat, by: s).pixels.allSatisfy { $0 == 77 })
        }
    }

    /// The LR generator is a hot path for large folders: a DIV2K-sized image
    /// (2040×1356) must downscale in well under a second.
    func testDownscaleSpeed() {
        let img = SyntheticImages.image(index: 0, size: 256, seed: 1)
        let big = RGBImage(width: 2040, height: 1356, pixels: (0..<(2040 * 1356 * 3)).map { img.pixels[$0 % img.pixels.count] })
        let start = Date()
        let lr = Bicubic.downscale(big, by: 2)
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "Bicubic.downscale 2040×1356 ×2: %.3f s", seconds))
        XCTAssertEqual(lr.width, 1020)
        XCTAssertLessThan(seconds, 1.0)
    }
}
