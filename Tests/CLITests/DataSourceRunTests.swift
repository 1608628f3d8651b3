import Data
import Foundation
import TestSupport
import XCTest

/// Data as it comes, end to end on 2 ranks with tiny models: DIV2K's unknown track from
/// the committed track-2 config, and the user's own HR PNGs paired with LR JPEGs.
final class DataSourceRunTests: ScratchFolderTestCase {
    override class var folderPrefix: String { "srdist-datasource" }
    let jpegFixtures = Executables.repositoryRoot().appendingPathComponent("Tests/DataTests/Fixtures/jpeg").path

    /// The committed config shrunk to seconds: 1 block of 8 features, 2 steps per stage.
    func tinyOverrides(root: String, run: String) -> [String] {
        ["model.blocks=1", "model.features=8", "train.steps=2", "train.batch_size=2", "train.patch_size=12", "train.log_every=1",
         "train.eval_every=2", "checkpoint.save_every=2", "data.root=\(root)", "data.data_range=\"1-6/7-8\"", "run_dir=\(run)"]
            .flatMap { ["--set", $0] }
    }

    func testUnknownTrackTrainsX2ThenX3AndX4AndEvalScoresIt() throws {
        let root = dir.appendingPathComponent("div2k").path, run = dir.appendingPathComponent("run").path
        let made = try Executables.run(Executables.srdist, ["demo-data", root, "--layout", "div2k", "--degradation", "unknown", "--count", "8", "--size", "48"])
        XCTAssertEqual(made.status, 0, made.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(root)/DIV2K_train_LR_bicubic"))
        let config = Executables.repositoryRoot().appendingPathComponent("configs/edsr_unknown.json").path
        let r = try Executables.mpirunSrdist(2, ["--config", config] + tinyOverrides(root: root, run: run))
        XCTAssertEqual(r.status, 0, r.output)
        for stage in ["x2", "x3", "x4"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(run)/\(stage)/checkpoints/step-000000002.h5"), stage)
        }
        XCTAssertEqual(r.output.components(separatedBy: "validation step 2:").count - 1, 3, r.output)
        let eval = try Executables.run(Executables.srdist, ["eval", "--checkpoint", "\(run)/x3/checkpoints/latest", "--data", root,
                                                            "--degradation", "unknown", "--range", "7-8", "--json"])
        XCTAssertEqual(eval.status, 0, eval.output)
        let document = try JSONSerialization.jsonObject(with: Data(eval.output.utf8)) as? [String: Any]
        XCTAssertEqual((document?["images"] as? [Any])?.count, 2, eval.output)
        XCTAssertEqual(document?["scale"] as? Int, 3)
        // The bicubic track of that tree is absent: eval says which file is missing.
        let bicubic = try Executables.run(Executables.srdist, ["eval", "--checkpoint", "\(run)/x3/checkpoints/latest", "--data", root, "--range", "7-8"])
        XCTAssertEqual(bicubic.status, 1, bicubic.output)
        XCTAssertTrue(bicubic.output.contains("DIV2K_train_LR_bicubic/X3/0007x3.png: LR image not found"), bicubic.output)
    }

    func testUnknownTrackOnABicubicTreeIsRefusedNamingTheFolder() throws {
        let root = dir.appendingPathComponent("div2k").path
        XCTAssertEqual(try Executables.run(Executables.srdist, ["demo-data", root, "--layout", "div2k", "--count", "8", "--size", "48"]).status, 0)
        let config = Executables.repositoryRoot().appendingPathComponent("configs/edsr_unknown.json").path
        let r = try Executables.run(Executables.srdist, ["--config", config, "--quiet"] + tinyOverrides(root: root, run: dir.appendingPathComponent("run").path))
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertEqual(r.output, "Error: \(root)/DIV2K_train_LR_unknown/X2: folder not found (the unknown degradation reads DIV2K's LR_unknown images)\n")
    }

    /// HR PNGs (74×58) and the user's LR JPEGs named `{stem}x2.jpg`: trained and validated
    /// on 2 ranks, then scored by `eval --lr`.
    func testPairedPNGAndJPEGFoldersTrainValidateAndEvaluate() throws {
        let hr = dir.appendingPathComponent("hr").path, lr = dir.appendingPathComponent("lr").path
        for folder in [hr, "\(lr)/X2"] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        for (i, fixture) in ["rgb420", "rgb444", "grey", "rgb422_progressive"].enumerated() {
            try PNGFile.write(SyntheticImages.image(index: i, width: 74, height: 58, seed: 2), to: "\(hr)/photo\(i + 1).png")
            try FileManager.default.copyItem(atPath: "\(jpegFixtures)/\(fixture).jpg", toPath: "\(lr)/X2/photo\(i + 1)x2.jpg")
        }
        let config = dir.appendingPathComponent("paired.json").path
        try """
        { "name": "paired", "model": { "scale": 2, "blocks": 1, "features": 8 },
          "train": { "batch_size": 2, "patch_size": 12, "steps": 2, "log_every": 1, "eval_every": 2 },
          "checkpoint": { "save_every": 2 },
          "data": { "kind": "paired", "root": "\(hr)", "lr_root": "\(lr)/X{scale}", "filename_template": "{stem}x{scale}", "data_range": "1-3/4-4" },
          "run_dir": "\(dir.appendingPathComponent("run").path)" }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let r = try Executables.mpirunSrdist(2, ["--config", config])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("validation step 2:") && r.output.contains("— 1 image in"), r.output)
        let eval = try Executables.run(Executables.srdist, ["eval", "--checkpoint", dir.appendingPathComponent("run/checkpoints/latest").path,
                                                            "--data", hr, "--lr", "\(lr)/X{scale}", "--filename-template", "{stem}x{scale}", "--json"])
        XCTAssertEqual(eval.status, 0, eval.output)
        let document = try JSONSerialization.jsonObject(with: Data(eval.output.utf8)) as? [String: Any]
        XCTAssertEqual((document?["images"] as? [[String: Any]])?.compactMap { $0["name"] as? String }, ["photo1", "photo2", "photo3", "photo4"])
        // The same pairs as validation_root: all 4 validated while training on 1-3.
        let validated = try Executables.run(Executables.srdist, ["--config", config, "--set", "run_dir=\(dir.appendingPathComponent("run-v").path)",
                                                                 "--set", "data.data_range=\"1-3\"", "--set", "data.validation_root=\(hr)",
                                                                 "--set", "data.validation_lr_root=\(lr)/X{scale}"])
        XCTAssertEqual(validated.status, 0, validated.output)
        XCTAssertTrue(validated.output.contains("— 4 images in"), validated.output)
        let badTemplate = try Executables.run(Executables.srdist, ["eval", "--checkpoint", "ck.h5", "--data", hr, "--lr", lr, "--filename-template", "{name}"])
        XCTAssertEqual(badTemplate.status, 1, badTemplate.output)
        XCTAssertEqual(badTemplate.output, "Error: --filename-template must hold {stem} exactly once, got '{name}'\n")
        // A stray LR file is one line naming both sides' counts.
        try FileManager.default.copyItem(atPath: "\(jpegFixtures)/rgb444.jpg", toPath: "\(lr)/X2/extra.jpg")
        let stray = try Executables.run(Executables.srdist, ["--config", config, "--quiet", "--set", "run_dir=\(dir.appendingPathComponent("run2").path)"])
        XCTAssertEqual(stray.status, 1, stray.output)
        XCTAssertEqual(stray.output, "Error: \(lr)/X2: ×2 pairs do not match: 1 LR image(s) match no HR image (extra.jpg)\n")
    }

    func testUpscaleReadsJPEGAndWritesPNG() throws {
        let checkpoint = Executables.repositoryRoot().appendingPathComponent("Tests/Fixtures/checkpoint/edsr_b2f8_x2.h5").path
        let photos = dir.appendingPathComponent("photos").path, out = dir.appendingPathComponent("out").path
        try FileManager.default.createDirectory(atPath: photos, withIntermediateDirectories: true)
        for name in ["rgb420", "grey"] { try FileManager.default.copyItem(atPath: "\(jpegFixtures)/\(name).jpg", toPath: "\(photos)/\(name).JPG") }
        let r = try Executables.run(Executables.srdist, ["upscale", photos, out, "--checkpoint", checkpoint])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).sorted(), ["grey.png", "rgb420.png"])
        let upscaled = try ImageFile.read("\(out)/grey.png")
        XCTAssertEqual([upscaled.width, upscaled.height], [74, 58])
    }

    func testMakeLRWritesAnUnknownTrackStyleSet() throws {
        let photos = dir.appendingPathComponent("photos").path, out = dir.appendingPathComponent("set").path
        try FileManager.default.createDirectory(atPath: photos, withIntermediateDirectories: true)
        let image = SyntheticImages.image(index: 0, width: 36, height: 24, seed: 1)
        try PNGFile.write(image, to: "\(photos)/a.png")
        try FileManager.default.copyItem(atPath: "\(jpegFixtures)/rgb444.jpg", toPath: "\(photos)/b.jpg")
        let r = try Executables.run(Executables.srdist, ["make-lr", photos, out, "--scales", "2,3", "--degradation", "unknown", "--quiet"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("LR images in \(out)/LR_unknown/X2, X3"), r.output)
        XCTAssertEqual(try ImageFile.read("\(out)/LR_unknown/X3/ax3.png"), Degradation.unknown.makeLR(image, by: 3))
        XCTAssertEqual(try ImageFile.read("\(out)/HR/b.png"), try ImageFile.read("\(jpegFixtures)/rgb444.jpg"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(out)/LR_bicubic"))
    }
}
