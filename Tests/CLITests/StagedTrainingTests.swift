import Checkpoint
import Foundation
import TestSupport
import XCTest

/// The paper's EDSR recipe in miniature: ×2 from scratch, then ×3 ‖ ×4 from the ×2
/// weights on disjoint halves of 4 ranks.
final class StagedTrainingTests: ScratchFolderTestCase {
    override class var folderPrefix: String { "srdist-stages" }

    /// Writes `json` as the folder's stages.json and returns its path.
    func write(_ json: String) throws -> String {
        let path = dir.appendingPathComponent("stages.json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testConcurrentStagesStartFromTheX2Result() throws {
        let dir = self.dir.path
        let config = try write("""
        { "name": "staged", "model": { "arch": "edsr", "blocks": 1, "features": 8 },
          "train": { "batch_size": 4, "patch_size": 12, "steps": 10, "lr": 1e-3, "log_every": 5 },
          "data": { "kind": "synthetic", "synthetic_images": 4, "synthetic_size": 60 },
          "stages": [ { "name": "x2", "scale": 2, "steps": 8 }, { "name": "x3", "scale": 3, "steps": 4, "init_from": "x2" },
                      { "name": "x4", "scale": 4, "steps": 4, "init_from": "x2" } ],
          "concurrent": true, "run_dir": "\(dir)/run" }
        """)
        let r = try Executables.mpirunSrdist(4, ["--config", config])
        XCTAssertEqual(r.status, 0, r.output)
        func read(_ path: String) throws -> CheckpointContents { try CheckpointFile.read(path: try CheckpointStore.locate(path)) }
        let x2 = try read("\(dir)/run/x2")
        XCTAssertEqual(x2.step, 8)
        for (stage, scale) in [("x3", 3), ("x4", 4)] {
            XCTAssertEqual(try read("\(dir)/run/\(stage)").step, 4)
            XCTAssertEqual(try read("\(dir)/run/\(stage)").scales, [scale])
            // Step 0 of the stage: every tensor but the upsampler is ×2's final value.
            let start = try CheckpointFile.read(path: "\(dir)/run/\(stage)/checkpoints/step-000000000.h5")
            for v in start.layout.views {
                let mine = Array(start.params[v.range])
                if let theirs = x2.layout.view(named: v.name), theirs.shape == v.shape {
                    XCTAssertEqual(mine, Array(x2.params[theirs.range]), "\(stage) \(v.name)")
                } else {
                    XCTAssertTrue(v.name.hasPrefix("tail.0."), "\(stage): only the upsampler may differ, not \(v.name)")
                }
            }
            // The two concurrent stages ran on 2 ranks each.
            XCTAssertEqual(try read("\(dir)/run/\(stage)").worldSize, 2)
        }
        // Resuming the finished run skips every stage.
        let again = try Executables.mpirunSrdist(4, ["--config", config, "--resume", "auto"])
        XCTAssertEqual(again.status, 0, again.output)
        for stage in ["x2", "x3", "x4"] { XCTAssertTrue(again.output.contains("stage \(stage): finished earlier"), again.output) }
    }

    /// Concurrent stages split 5 ranks 1 + 4 (by their steps): a global batch of 2 is
    /// too small for the group of 4, and the whole job is refused with one line, before
    /// either group starts, instead of the small group training alone.
    func testAGroupLargerThanTheBatchIsRefusedBeforeAnyStageStarts() throws {
        let dir = self.dir.path
        let config = try write("""
        { "name": "crowded", "model": { "arch": "edsr", "blocks": 1, "features": 8 },
          "train": { "batch_size": 2, "patch_size": 12, "steps": 10 },
          "data": { "kind": "synthetic", "synthetic_images": 4, "synthetic_size": 60 },
          "stages": [ { "name": "x2", "scale": 2, "steps": 1 }, { "name": "x3", "scale": 3, "steps": 7 } ],
          "concurrent": true, "run_dir": "\(dir)/run" }
        """)
        let r = try Executables.mpirunSrdist(5, ["--config", config], timeout: 120)
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertEqual(r.output.components(separatedBy: "Error: ").count - 1, 1, r.output)
        XCTAssertTrue(r.output.contains("Error: train.batch_size 2 is smaller than the 4 ranks"), r.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/run/x2"), "the group of 1 started its stage")
    }
}
