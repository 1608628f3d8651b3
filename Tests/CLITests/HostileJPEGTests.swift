import Foundation
import TestSupport
import XCTest

extension HostileInputTests {
    /// Each JPEG srdist does not read, given to `upscale` and inside an `eval` set: one
    /// line naming the file, exit 1, bounded memory and time, no output written.
    func testHostileJPEGsThroughUpscaleAndEval() throws {
        let fixtures = Executables.repositoryRoot().appendingPathComponent("Tests/DataTests/Fixtures").path
        let photo = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(fixtures)/jpeg/rgb444.jpg")))
        let cases: [(String, [UInt8], [String])] = [
            ("truncated.jpg", Array(photo.prefix(photo.count / 2)), ["truncated or corrupt JPEG"]),
            ("huge.jpg", CraftedJPEG.baseline(width: 65_000, height: 65_000), ["65000×65000", "limit"]),
            ("scans.jpg", CraftedJPEG.manyScans(), ["500 scans"]),
            ("deep.jpg", CraftedJPEG.baseline(precision: 12), ["precision 12"]),
            ("cmyk.jpg", [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(fixtures)/jpeg/cmyk.jpg"))), ["CMYK"]),
            ("png.jpg", [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(fixtures)/png/rgb8.png"))), ["holds a PNG image but is named as a JPEG"]),
            ("jpeg.png", photo, ["holds a JPEG image but is named as a PNG"]),
        ]
        for (name, bytes, fragments) in cases {
            let path = "\(dir)/\(name)"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            try refused(["upscale", path, "\(dir)/out.png", "--checkpoint", fixture], [path] + fragments)
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/out.png"), name)
        }
        try FileManager.default.createDirectory(atPath: "\(dir)/set", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(dir)/scans.jpg", toPath: "\(dir)/set/a.jpg")
        try refused(["eval", "--checkpoint", fixture, "--data", "\(dir)/set", "--cache-dir", "\(dir)/cache"], ["\(dir)/set/a.jpg", "500 scans"])
    }
}
