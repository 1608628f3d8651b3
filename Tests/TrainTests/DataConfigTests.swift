import Data
import Foundation
import Train
import XCTest

/// The data keys that choose LR images: `degradation`, and the paired kind's folders and names.
final class DataConfigTests: XCTestCase {
    func error(_ data: String, model: String = #"{"scale": 2}"#) -> String {
        do {
            _ = try Config.parse(Data(#"{"model": \#(model), "train": {"steps": 10}, "data": \#(data)}"#.utf8), file: "test.json")
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func data(_ json: String, model: String = #"{"scale": 2}"#) throws -> DataSpec {
        try Config.parse(Data(#"{"model": \#(model), "train": {"steps": 10}, "data": \#(json)}"#.utf8), file: "test.json").data
    }

    func testUnknownDegradation() throws {
        let spec = try data(#"{"kind": "div2k", "root": "d", "degradation": "unknown", "data_range": "1-790/791-800"}"#)
        XCTAssertEqual(spec.degradation, .unknown)
        XCTAssertEqual(try data(#"{"kind": "div2k", "root": "d"}"#).degradation, .bicubic)
        XCTAssertEqual(error(#"{"kind": "div2k", "root": "d", "degradation": "unknown", "generate_lr": true}"#),
                       "test.json: key 'data.generate_lr' cannot be used with degradation \"unknown\": nothing can make DIV2K's unknown-track LR images; "
                       + "download DIV2K_train_LR_unknown (and DIV2K_valid_LR_unknown)")
        XCTAssertEqual(error(#"{"kind": "div2k", "root": "d", "degradation": "mild"}"#),
                       "test.json: key 'data.degradation' must be one of \"bicubic\", \"unknown\", got \"mild\"")
        XCTAssertEqual(error(#"{"kind": "folder", "root": "d", "data_range": "1-2/3-3", "degradation": "unknown"}"#),
                       "test.json: key 'data.degradation' is not used by kind \"folder\"")
    }

    func testPairedKind() throws {
        let spec = try data(#"{"kind": "paired", "root": "hr", "lr_root": "lr/X{scale}", "filename_template": "{stem}x{scale}", "data_range": "1-8/9-10"}"#)
        XCTAssertEqual(spec.paired, PairedFolders(lrRoot: "lr/X{scale}", template: "{stem}x{scale}"))
        XCTAssertEqual(try data(#"{"kind": "paired", "root": "hr", "lr_root": "lr", "data_range": "1-8/9-10"}"#).paired?.template, "{stem}")
        XCTAssertEqual(error(#"{"kind": "paired", "root": "hr", "data_range": "1-8/9-10"}"#), "test.json: key 'data.lr_root' is required for kind \"paired\"")
        XCTAssertEqual(error(#"{"kind": "paired", "root": "hr", "lr_root": "lr", "data_range": "1-8/9-10"}"#, model: #"{"arch": "mdsr", "scales": [2, 3]}"#),
                       "test.json: key 'data.lr_root' must hold {scale} (or filename_template must) when the model has several scales, got \"lr\"")
        XCTAssertEqual(error(#"{"kind": "paired", "root": "hr", "lr_root": "lr", "filename_template": "{name}", "data_range": "1-8/9-10"}"#),
                       "test.json: key 'data.filename_template' must hold {stem} exactly once, got \"{name}\"")
        XCTAssertEqual(error(#"{"kind": "paired", "root": "hr", "lr_root": "lr", "generate_lr": true, "data_range": "1-8/9-10"}"#),
                       "test.json: key 'data.generate_lr' is not used by kind \"paired\"")
        XCTAssertEqual(error(#"{"kind": "div2k", "root": "d", "lr_root": "lr"}"#), "test.json: key 'data.lr_root' is not used by kind \"div2k\"")
    }

    func testPairedValidationFolders() throws {
        let spec = try data(#"{"kind": "div2k", "root": "d", "data_range": "1-800", "validation_root": "v/hr", "validation_lr_root": "v/lr", "filename_template": "{stem}x2"}"#)
        XCTAssertEqual(spec.validationPaired, PairedFolders(lrRoot: "v/lr", template: "{stem}x2"))
        XCTAssertEqual(error(#"{"kind": "div2k", "root": "d", "filename_template": "{stem}x2"}"#),
                       "test.json: key 'data.filename_template' is not used by kind \"div2k\"")
        XCTAssertEqual(error(#"{"kind": "paired", "root": "hr", "lr_root": "lr", "validation_lr_root": "v", "data_range": "1-8/9-10"}"#),
                       "test.json: key 'data.validation_lr_root' needs data.validation_root (the HR images)")
    }
}
