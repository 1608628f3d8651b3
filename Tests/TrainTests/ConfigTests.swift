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
        XCTAssertEqual(c.model.arch, "edsr")
        XCTAssertEqual(c.model.scales, [2])
        XCTAssertEqual(c.model.blocks, 16)
        XCTAssertEqual(c.model.features, 64)
        XCTAssertEqual(c.model.resScale, 1)
        XCTAssertEqual(c.train.batchSize, 16)
        XCTAssertEqual(c.train.patchSize, 48)
        XCTAssertEqual(c.train.lr, 1e-4)
        XCTAssertEqual(c.train.lrDecaySteps, 200_000)
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
