import Data
import Foundation
import TestSupport
import XCTest

/// `srdist make-lr` against the committed bicubic fixtures (tools/reference/bicubic.py,
/// MATLAB's uint8 imresize of a 36×24 image), `eval` on the set it made, and `eval --save-lr`.
/// `photos/` holds that image and a copy with one more column and row (red): cut to a
/// multiple of 2, 3 or 4 (MATLAB's modcrop), it gives the same LR images at every scale.
final class MakeLRTests: XCTestCase {
    var dir = ""
    let bicubic = Executables.repositoryRoot().appendingPathComponent("Tests/DataTests/Fixtures/bicubic").path
    let imported = Executables.repositoryRoot().appendingPathComponent("Tests/Fixtures/checkpoint/edsr_b2f8_x2.h5").path

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "srdist-makelr-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: "\(dir)/photos", withIntermediateDirectories: true)
        let image = try fixture("input_36x24")
        try PNGFile.write(image, to: "\(dir)/photos/a.png")
        try PNGFile.write(padded(image), to: "\(dir)/photos/b.png")
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// `image` with a red column on the right and a red row at the bottom.
    func padded(_ image: RGBImage) -> RGBImage {
        let (w, h) = (image.width + 1, image.height + 1)
        return RGBImage(width: w, height: h, pixels: (0..<h).flatMap { y in
            (0..<w).flatMap { x in x < image.width && y < image.height ? (0..<3).map { image[x, y, $0] } : [255, 0, 0] }
        })
    }

    /// Whether the PNG at `path` holds `expected` (without printing pixels on failure).
    func holds(_ path: String, _ expected: RGBImage) throws -> Bool {
        let image = try ImageFile.read(path)
        if image != expected { print("\(path): \(image.width)×\(image.height), expected \(expected.width)×\(expected.height)") }
        return image == expected
    }

    func fixture(_ name: String) throws -> RGBImage {
        let raw = try readRawRGB("\(bicubic)/\(name).rgb")
        return RGBImage(width: raw.width, height: raw.height, pixels: raw.pixels)
    }

    func testWritesTheBenchmarkLayoutWithTheReferenceBicubic() throws {
        let r = try srdist(["make-lr", "\(dir)/photos", "\(dir)/set", "--scales", "2,3,4"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("] b.png 37×25: ×2 18×12, ×3 12×8, ×4 9×6\n"), r.output)
        XCTAssertTrue(r.output.contains("wrote 2 images to \(dir)/set/HR with LR images in \(dir)/set/LR_bicubic/X2, X3, X4"), r.output)
        let image = try fixture("input_36x24")
        XCTAssertTrue(try holds("\(dir)/set/HR/a.png", image), "HR is written as read")
        XCTAssertTrue(try holds("\(dir)/set/HR/b.png", padded(image)), "HR is written as read")
        for name in ["a", "b"] {
            for s in 2...4 {
                XCTAssertTrue(try holds("\(dir)/set/LR_bicubic/X\(s)/\(name)x\(s).png", try fixture("down\(s)_36x24")), "×\(s) \(name)")
            }
        }
        // The set is a benchmark set to eval; the LR files it reads are the ones made.
        let e = try srdist(["eval", "--checkpoint", imported, "--data", "\(dir)/set", "--json", "--save-lr", "\(dir)/lr"])
        XCTAssertEqual(e.status, 0, e.output)
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(e.output.utf8)) as? [String: Any], e.output)
        XCTAssertEqual((doc["images"] as? [[String: Any]])?.compactMap { $0["name"] as? String }, ["a", "b"])
        XCTAssertEqual(doc["protocol"] as? String, "Y, shave 2")
        XCTAssertTrue(try holds("\(dir)/lr/bx2.png", try fixture("down2_36x24")))
    }

    /// `eval --save-lr` on a plain folder writes the LR images it generated: MATLAB's bicubic too.
    func testEvalSavesTheLRItGenerates() throws {
        let r = try srdist(["eval", "--checkpoint", imported, "--data", "\(dir)/photos", "--save-lr", "\(dir)/lr", "--cache-dir", "\(dir)/cache"])
        XCTAssertEqual(r.status, 0, r.output)
        for name in ["a", "b"] { XCTAssertTrue(try holds("\(dir)/lr/\(name)x2.png", try fixture("down2_36x24")), name) }
        let inside = try srdist(["eval", "--checkpoint", imported, "--data", "\(dir)/photos", "--save-lr", "\(dir)/photos/lr"])
        XCTAssertEqual(inside.status, 1)
        XCTAssertEqual(inside.output, "Error: \(dir)/photos/lr: --save-lr lies inside the data folder \(dir)/photos, whose files it could overwrite; choose a folder outside it\n")
    }

    func testCropHRCutsToAMultipleOfEveryScale() throws {
        let r = try srdist(["make-lr", "\(dir)/photos", "\(dir)/set", "--scales", "2,3", "--crop-hr", "--quiet"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertFalse(r.output.contains("[1/2]"), "--quiet prints only the summary: \(r.output)")
        // 37×25 cut to a multiple of 6: the 36×24 image.
        XCTAssertTrue(try holds("\(dir)/set/HR/b.png", try fixture("input_36x24")))
        for s in [2, 3] { XCTAssertTrue(try holds("\(dir)/set/LR_bicubic/X\(s)/bx\(s).png", try fixture("down\(s)_36x24")), "×\(s)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/set/LR_bicubic/X4"))
    }

    /// Refusals are one line, exit 1, and change no file.
    func testRefusesToReplaceFilesOrWriteIntoItsInput() throws {
        let first = try srdist(["make-lr", "\(dir)/photos", "\(dir)/set", "--scales", "2"])
        XCTAssertEqual(first.status, 0, first.output)
        let before = FileManager.default.contents(atPath: "\(dir)/set/HR/a.png")
        let cases: [([String], String)] = [
            (["make-lr", "\(dir)/photos", "\(dir)/set", "--scales", "2"],
             "Error: \(dir)/set/HR/a.png: already exists; make-lr does not replace files: choose a new output folder\n"),
            (["make-lr", "\(dir)/photos", "\(dir)/photos/out"],
             "Error: \(dir)/photos/out: OUT_DIR lies inside the HR folder \(dir)/photos, whose files it could overwrite; choose a folder outside it\n"),
            (["make-lr", "\(dir)/set/HR", "\(dir)/set"],
             "Error: \(dir)/set/HR: HR_DIR lies inside \(dir)/set/HR, which make-lr writes into; copy the images elsewhere first\n"),
            (["make-lr", "\(dir)/photos", "\(dir)/x", "--scales", "2,x"],
             "Error: --scales: expected a comma-separated list of scales from 2 to 8, e.g. 2,3,4; got '2,x'\n"),
            (["make-lr", "\(dir)/missing", "\(dir)/x"], "Error: \(dir)/missing: folder not found\n"),
        ]
        for (args, message) in cases {
            let r = try srdist(args)
            XCTAssertEqual(r.status, 1, "\(args): \(r.output)")
            XCTAssertTrue(r.output.hasPrefix(message), "\(args): \(r.output)")
        }
        XCTAssertEqual(FileManager.default.contents(atPath: "\(dir)/set/HR/a.png"), before)
        // A damaged image stops the run naming it; the images written before it are whole.
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: "\(dir)/photos/zz.png"))
        let bad = try srdist(["make-lr", "\(dir)/photos", "\(dir)/other", "--scales", "2"])
        XCTAssertEqual(bad.status, 1, bad.output)
        XCTAssertTrue(bad.output.contains("Error: \(dir)/photos/zz.png: "), bad.output)
        XCTAssertEqual(bad.output.components(separatedBy: "Error:").count, 2, bad.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/other/HR/zz.png"))
        XCTAssertTrue(try holds("\(dir)/other/HR/a.png", try fixture("input_36x24")))
    }
}
