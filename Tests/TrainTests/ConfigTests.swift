import Foundation
import Train
import XCTest

final class ConfigTests: XCTestCase {
    func parse(_ json: String) throws -> Config { try Config.parse(Data(json.utf8), file: "test.json") }

    func error(_ json: String) -> String {
        do {
            _ = try parse(json)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    let minimal = #"{"model": {"scale": 2}, "train": {"steps": 10}}"#

    func testDefaultsFollowThePaper() throws {
        let c = try parse(minimal)
        XCTAssertEqual(c.name, "test")
        XCTAssertEqual(c.model.arch, .edsr)
        XCTAssertEqual(c.model.scales, [2])
        XCTAssertEqual(c.model.blocks, 16)
        XCTAssertEqual(c.model.features, 64)
        XCTAssertEqual(c.model.resScale, 1)
        XCTAssertEqual(c.train.batchSize, 16)
        XCTAssertEqual(c.train.patchSize, 48)
        XCTAssertEqual(c.train.lr, 1e-4)
        XCTAssertEqual(c.train.lrSchedule, .step(every: 200_000, gamma: 0.5))
    }

    func testCommittedConfigsParse() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../configs").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }
        XCTAssertTrue(files.contains("edsr_baseline_x2.json") && files.contains("edsr_x2.json") && files.contains("tiny_x2.json"))
        for f in files { XCTAssertNoThrow(try Config.load(path: dir.appendingPathComponent(f).path), f) }
    }

    func testErrorsNameTheKey() {
        XCTAssertEqual(error(#"{"model": {"scale": 2}, "train": {"steps": 10, "lrr": 1}}"#),
                       "test.json: key 'train.lrr' is unknown")
        XCTAssertEqual(error(#"{"model": {"scale": 2}, "train": {"steps": "ten"}}"#),
                       "test.json: key 'train.steps' must be an integer")
        XCTAssertEqual(error(#"{"model": {"scale": 5}, "train": {"steps": 10}}"#),
                       "test.json: key 'model.scale' must be 2, 3 or 4, got 5")
        XCTAssertEqual(error(#"{"model": {"scale": 2}, "train": {"steps": 10, "batch_size": 0}}"#),
                       "test.json: key 'train.batch_size' must be at least 1, got 0")
        XCTAssertEqual(error(#"{"model": {"scale": 2}, "train": {"steps": 10, "lr": -1}}"#),
                       "test.json: key 'train.lr' must be greater than 0.0, got -1.0")
        XCTAssertEqual(error(#"{"model": {"scale": 2}, "train": {"steps": 10, "lr": true}}"#),
                       "test.json: key 'train.lr' must be a number")
        XCTAssertEqual(error(#"{"model": {"scale": 2}}"#), "test.json: key 'train.steps' is required")
        XCTAssertEqual(error(#"{"model": {"scale": 2}, "train": {"steps": 10}, "extra": 1}"#),
                       "test.json: key 'extra' is unknown")
        XCTAssertEqual(error(#"{"model": 3, "train": {"steps": 10}}"#), "test.json: key 'model' must be an object")
        XCTAssertTrue(error(#"{"model": "#).hasPrefix("test.json: not valid JSON"))
    }
}

final class ConfigOverrideTests: XCTestCase {
    let file = #"{"model": {"scale": 2}, "train": {"steps": 10}}"#

    func testSetOverridesAndIsRecordedInTheResolvedJSON() throws {
        let c = try Config.parse(Data(file.utf8), file: "f.json",
                                 overrides: ["train.lr=2e-4", "model.blocks=4", "name=run7", "data.synthetic_size=100"])
        XCTAssertEqual(c.train.lr, 2e-4)
        XCTAssertEqual(c.model.blocks, 4)
        XCTAssertEqual(c.name, "run7")
        XCTAssertTrue(c.json.contains("\"lr\" : 0.0002"), c.json)
        // The resolved JSON parses back to the same configuration.
        let again = try Config.parse(Data(c.json.utf8), file: "resolved.json")
        XCTAssertEqual(again.train, c.train)
        XCTAssertEqual(again.model, c.model)
    }

    func testBadOverridesAreRefused() {
        func message(_ o: String) -> String {
            do { _ = try Config.parse(Data(file.utf8), file: "f.json", overrides: [o]); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message("train.lrr=1"), "f.json: key 'train.lrr' is unknown")
        XCTAssertEqual(message("train.steps=many"), "f.json: key 'train.steps' must be an integer")
        XCTAssertEqual(message("train.lr"), "--set train.lr: expected section.key=value")
        XCTAssertEqual(message("model.scale.x=1"), "--set model.scale.x=1: 'scale' is not a section")
    }
}
