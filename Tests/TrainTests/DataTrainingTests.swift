import Data
import Foundation
import Support
import Train
import XCTest

final class DataTrainingTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "srdist-train-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func config(data: String) throws -> Config {
        let json = """
        { "name": "div2k_test",
          "model": { "arch": "edsr", "scale": 2, "blocks": 1, "features": 8 },
          "train": { "batch_size": 4, "patch_size": 12, "steps": 3, "lr": 1e-3, "seed": 5, "threads_per_rank": 1 },
          "data": \(data) }
        """
        return try Config.parse(Foundation.Data(json.utf8), file: "\(dir)/test.json")
    }

    /// Trains a few steps from a DIV2K-style tree the test writes itself, with the
    /// validation split from data_range; a second trainer reads the cache and
    /// computes the same losses.
    func testTrainsAFewStepsOnADIV2KTree() throws {
        let root = "\(dir)/DIV2K"
        try SyntheticImages.writeDIV2K(root: root, count: 6, size: 48, scales: [2], seed: 2)
        let cfg = try config(data: #"{ "kind": "div2k", "root": "\#(root)", "data_range": "1-4/5-6", "cache_dir": "\#(dir)/cache" }"#)
        let trainer = try Trainer(config: cfg)
        XCTAssertEqual(trainer.data.sampler.pairs.map(\.name), (1...4).map { "\(root)/DIV2K_train_HR/000\($0).png" })
        XCTAssertEqual(trainer.data.validation[2]?.count, 2)
        let losses = (0..<3).map { try! trainer.loss(at: $0) }
        XCTAssertTrue(losses.allSatisfy { $0.isFinite && $0 > 0 }, "\(losses)")
        XCTAssertGreaterThanOrEqual(trainer.data.dataWait, 0)
        let cached = try FileManager.default.subpathsOfDirectory(atPath: "\(dir)/cache").filter { $0.hasSuffix(".srd") }
        XCTAssertEqual(cached.count, 12, "an HR and an LR file per image")
        let again = try Trainer(config: cfg)
        XCTAssertEqual((0..<3).map { try! again.loss(at: $0) }, losses)
    }

    /// Validation on a benchmark set (HR/ + LR_bicubic/X2/) instead of a split.
    func testValidationRootReadsABenchmarkSet() throws {
        let root = "\(dir)/DIV2K", set5 = "\(dir)/Set5"
        try SyntheticImages.writeDIV2K(root: root, count: 3, size: 40, scales: [2], seed: 2)
        try FileManager.default.createDirectory(atPath: "\(set5)/LR_bicubic/X2", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(set5)/HR", withIntermediateDirectories: true)
        let bird = SyntheticImages.image(index: 9, size: 30, seed: 1)
        try PNGFile.write(bird, to: "\(set5)/HR/bird.png")
        try PNGFile.write(Bicubic.downscale(bird, by: 2), to: "\(set5)/LR_bicubic/X2/birdx2.png")
        let cfg = try config(data: #"{ "kind": "div2k", "root": "\#(root)", "data_range": "1-3", "validation_root": "\#(set5)", "cache_dir": "\#(dir)/cache" }"#)
        let trainer = try Trainer(config: cfg)
        XCTAssertEqual(trainer.data.validation[2]?.map(\.name), ["\(set5)/HR/bird.png"])
    }

    /// Validation on a plain folder of HR images: LR made with the bicubic, as `eval --data` does.
    func testValidationRootReadsAPlainFolder() throws {
        let root = "\(dir)/DIV2K", photos = "\(dir)/photos"
        try SyntheticImages.writeDIV2K(root: root, count: 3, size: 40, scales: [2], seed: 2)
        try FileManager.default.createDirectory(atPath: photos, withIntermediateDirectories: true)
        let bird = SyntheticImages.image(index: 9, size: 30, seed: 1)
        try PNGFile.write(bird, to: "\(photos)/bird.png")
        let cfg = try config(data: #"{ "kind": "div2k", "root": "\#(root)", "data_range": "1-3", "validation_root": "\#(photos)", "cache_dir": "\#(dir)/cache" }"#)
        let trainer = try Trainer(config: cfg)
        let pair = try XCTUnwrap(trainer.data.validation[2]?.first)
        XCTAssertEqual(trainer.data.validation[2]?.map(\.name), ["\(photos)/bird.png"])
        XCTAssertEqual(pair.lr.image(), Bicubic.downscale(bird, by: 2))
        XCTAssertEqual(pair.hr.image(), bird)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: photos), ["bird.png"], "nothing written beside the photos")
    }

    func testBadDataSectionsNameTheKey() throws {
        let cases: [(String, String)] = [
            (#"{ "kind": "imagenet" }"#, "key 'data.kind' must be one of"),
            (#"{ "kind": "folder" }"#, "key 'data.root' is required"),
            (#"{ "kind": "div2k", "root": "/x", "data_range": "1-800-3" }"#, "key 'data.data_range' must look like"),
            (#"{ "kind": "folder", "root": "/x" }"#, "key 'data.data_range' needs a validation part"),
            (#"{ "kind": "div2k", "root": "/x", "synthetic_size": 64 }"#, "key 'data.synthetic_size' is not used by kind \"div2k\""),
            (#"{ "kind": "synthetic", "root": "/x" }"#, "key 'data.root' is not used by kind \"synthetic\""),
            (#"{ "kind": "div2k", "root": "/x", "generate_lr": 1 }"#, "key 'data.generate_lr' must be true or false"),
            (#"{ "kind": "div2k", "root": "/x", "cache": "/y" }"#, "key 'data.cache' is unknown"),
        ]
        for (data, message) in cases {
            XCTAssertThrowsError(try config(data: data), data) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error) does not contain \(message)")
                XCTAssertTrue("\(error)".hasPrefix("\(dir)/test.json: "), "\(error)")
            }
        }
        XCTAssertEqual(try config(data: #"{ "kind": "div2k", "root": "/x" }"#).data.dataRange, DataRange("1-800/801-810"))
    }

    /// Data problems surface from Trainer(config:) as one line naming the file.
    func testDataErrorsReachTheTrainer() throws {
        let root = "\(dir)/DIV2K"
        try SyntheticImages.writeDIV2K(root: root, count: 3, size: 40, scales: [2], seed: 2)
        let missing = "\(root)/DIV2K_train_LR_bicubic/X2/0002x2.png"
        try FileManager.default.removeItem(atPath: missing)
        let cfg = try config(data: #"{ "kind": "div2k", "root": "\#(root)", "data_range": "1-2/3-3", "cache_dir": "\#(dir)/cache" }"#)
        // Loading is agreed among the ranks: every rank's error carries the data's line.
        XCTAssertThrowsError(try Trainer(config: cfg)) { XCTAssertTrue(describe($0).hasPrefix(missing), "\($0)") }
        var small = cfg
        small.train.patchSize = 30
        small.data.generateLR = true
        XCTAssertThrowsError(try Trainer(config: small)) {
            XCTAssertEqual(($0 as? DataError)?.description, "\(root)/DIV2K_train_HR/0001.png: LR image 20×20 (×2) is smaller than patch_size 30")
        }
    }
}
