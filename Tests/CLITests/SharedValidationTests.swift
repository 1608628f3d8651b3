import Data
import Foundation
import TestSupport
import XCTest

/// Validation shared by the ranks of a run: the same scores at every rank count and in
/// `srdist eval`, tiled like whole images, abandoned on a stop signal, and confined to
/// a stage's own ranks in a concurrent wave.
final class SharedValidationTests: ScratchFolderTestCase {
    override class var folderPrefix: String { "srdist-validation" }

    /// Three HR images of different non-square sizes (fewer than 4 ranks) in `dir/val`,
    /// and four 64×64 training images in `dir/train`; returns the validation folder.
    private func validationSet() throws -> String {
        func folder(_ name: String, _ sizes: [(Int, Int)], seed: UInt64) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            for (i, (w, h)) in sizes.enumerated() {
                try PNGFile.write(SyntheticImages.image(index: i, width: w, height: h, seed: seed), to: "\(path)/\(name)\(i).png")
            }
            return path
        }
        _ = try folder("train", Array(repeating: (64, 64), count: 4), seed: 1)
        return try folder("val", [(96, 70), (58, 90), (74, 46)], seed: 7)
    }

    /// A config training EDSR B2 F16 on `dir/train`, validated on `validation` in
    /// 16-pixel LR tiles, one thread per rank, every rank computing (more than the cores);
    /// `stages` adds the paper's ×2 → ×3 ‖ ×4.
    private func config(validation: String, stages: Bool = false) throws -> String {
        let path = dir.appendingPathComponent(stages ? "stages.json" : "tiny.json").path
        let stageList = stages ? """
            , "stages": [ { "name": "x2", "scale": 2 }, { "name": "x3", "scale": 3, "init_from": "x2" },
                        { "name": "x4", "scale": 4, "init_from": "x2" } ], "concurrent": true
            """ : ""
        try """
        { "name": "shared-validation", "model": { "arch": "edsr", "scale": 2, "blocks": 2, "features": 16 },
          "train": { "batch_size": 4, "patch_size": 12, "steps": 40, "lr": 5e-4, "log_every": 20, "threads_per_rank": 1,
                     "validation_tile": 16, "validation_ranks_per_node": 16 },
          "data": { "kind": "folder", "root": "\(dir.appendingPathComponent("train").path)", "generate_lr": true,
                    "validation_root": "\(validation)" }\(stageList) }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Arguments for a run in `dir/run` with `more` config overrides.
    private func settings(_ run: String, validation: String, _ more: [String] = []) throws -> [String] {
        ["--config", try config(validation: validation), "--set", "run_dir=\(dir.appendingPathComponent(run).path)"]
            + more.flatMap { ["--set", $0] }
    }

    /// A briefly trained checkpoint to start the runs below from (the same weights at every rank count).
    private func trainedCheckpoint(validation: String) throws -> String {
        let r = try Executables.mpirunSrdist(1, try settings("base", validation: validation, ["train.steps=40"]))
        XCTAssertEqual(r.status, 0, r.output)
        return dir.appendingPathComponent("base/checkpoints/latest").path
    }

    /// The validation records of a run's metrics.jsonl, by step.
    private func validations(_ run: String) throws -> [Int: [String: Any]] {
        let text = try String(contentsOf: dir.appendingPathComponent("\(run)/metrics.jsonl"), encoding: .utf8)
        var out: [Int: [String: Any]] = [:]
        for line in text.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            if object["event"] as? String == "validation" { out[object["step"] as! Int] = object }
        }
        return out
    }

    private func scores(_ record: [String: Any]?) -> [[Double]] {
        ((record?["images"] as? [[String: Any]]) ?? []).map { [$0["psnr"] as! Double, $0["ssim"] as! Double, $0["bicubic_psnr"] as! Double] }
    }

    func testScoresAreTheSameBitsAtEveryRankCountAndInEval() throws {
        let validation = try validationSet()
        let start = try trainedCheckpoint(validation: validation)
        // A run started from a checkpoint validates its step 0: the same weights at 1, 2 and 4 ranks.
        // The last row computes on one rank of four (validation_ranks_per_node 1): the others wait.
        var reference: [[Double]] = []
        for (np, computing) in [(1, 1), (2, 2), (4, 4), (4, 1)] {
            let run = "np\(np)-\(computing)"
            let r = try Executables.mpirunSrdist(np, try settings(run, validation: validation, ["train.steps=1", "train.init_from=\(start)",
                                                                                             "train.validation_ranks_per_node=\(computing)"]))
            XCTAssertEqual(r.status, 0, r.output)
            XCTAssertTrue(r.output.contains("validation step 0: ") && r.output.contains("— 3 images in "), r.output)
            let ranks = computing == np ? "\(np) rank\(np == 1 ? "" : "s")" : "\(computing) of \(np) ranks"
            XCTAssertTrue(r.output.contains(" on \(ranks)\n"), r.output)
            let record = try validations(run)[0]
            XCTAssertEqual(record?["ranks"] as? Int, computing)
            XCTAssertEqual(record?["group_ranks"] as? Int, np)
            if np == 1 { reference = scores(record) } else { XCTAssertEqual(scores(record), reference, "\(computing) of \(np) ranks") }
        }
        XCTAssertEqual(reference.count, 3)
        // eval shares the images the same way; tile and overlap as validation's.
        for (np, perNode) in [(1, 0), (3, 16), (3, 2)] {
            let r = try Executables.mpirunSrdist(np, ["eval", "--checkpoint", start, "--data", validation, "--tile", "16", "--json",
                                                      "--ranks-per-node", "\(perNode)"])
            XCTAssertEqual(r.status, 0, r.output)
            let json = try JSONSerialization.jsonObject(with: Data(r.output[r.output.firstIndex(of: "{")!...].utf8)) as! [String: Any]
            let images = json["images"] as! [[String: Any]]
            XCTAssertEqual(images.map { [$0["psnr"] as! Double, $0["ssim"] as! Double, $0["bicubic_psnr"] as! Double] }, reference,
                           "eval on \(np) ranks, \(perNode) per node")
            XCTAssertEqual(json["ranks"] as? Int, min(np, perNode == 0 ? np : perNode))
            XCTAssertEqual(json["group_ranks"] as? Int, np)
        }
    }

    func testEMAWeightsAreLentToEveryRank() throws {
        let validation = try validationSet()
        let r = try Executables.mpirunSrdist(2, try settings("ema", validation: validation, ["train.steps=6", "train.eval_every=3", "train.ema_decay=0.5"]))
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("(EMA weights)"), r.output)
        // Rank 1's windows were computed with rank 0's moving average: the final
        // validation equals eval of the checkpoint's EMA weights on one rank.
        let e = try Executables.mpirunSrdist(1, ["eval", "--checkpoint", dir.appendingPathComponent("ema").path, "--data", validation,
                                                 "--tile", "16", "--json"])
        XCTAssertEqual(e.status, 0, e.output)
        let json = try JSONSerialization.jsonObject(with: Data(e.output[e.output.firstIndex(of: "{")!...].utf8)) as! [String: Any]
        XCTAssertEqual(json["ema"] as? Bool, true)
        let images = json["images"] as! [[String: Any]]
        XCTAssertEqual(images.map { [$0["psnr"] as! Double, $0["ssim"] as! Double, $0["bicubic_psnr"] as! Double] },
                       scores(try validations("ema")[6]))
    }

    func testTiledValidationScoresLikeWholeImages() throws {
        let validation = try validationSet()
        let start = try trainedCheckpoint(validation: validation)
        var byTile: [Int: [[Double]]] = [:]
        for tile in [0, 16, 20] {
            let r = try Executables.mpirunSrdist(1, try settings("tile\(tile)", validation: validation,
                                                             ["train.steps=1", "train.init_from=\(start)", "train.validation_tile=\(tile)"]))
            XCTAssertEqual(r.status, 0, r.output)
            byTile[tile] = scores(try validations("tile\(tile)")[0])
        }
        XCTAssertEqual(byTile[0]?.count, 3)
        // Windows of another size sum the convolutions in another order: a pixel whose
        // float lies within rounding noise of .5 may land one level apart, which moves
        // PSNR by far less than 1e-3 dB; a misplaced core costs whole decibels.
        for tile in [16, 20] {
            for (tiled, whole) in zip(byTile[tile]!, byTile[0]!) {
                for (a, b) in zip(tiled, whole) { XCTAssertEqual(a, b, accuracy: 1e-3, "tile \(tile)") }
            }
        }
    }

    func testStopSignalDuringValidationAbandonsItAndKeepsTheCheckpoint() throws {
        let validation = try validationSet()
        // Rank 0 signals itself as the validation of step 4 begins; rank 1 learns of it after the first image.
        let r = try Executables.mpirunSrdist(2, try settings("stop", validation: validation, ["train.steps=8", "train.eval_every=4"]),
                                             environment: ["SRDIST_TEST_SIGNAL_IN_VALIDATION": "4"])
        XCTAssertEqual(r.status, 85, r.output)
        XCTAssertTrue(r.output.contains("stop signal during the validation of step 4: validation abandoned"), r.output)
        XCTAssertTrue(r.output.contains("exiting with 85 after the checkpoint of step 4"), r.output)
        let checkpoints = dir.appendingPathComponent("stop/checkpoints").path
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(checkpoints)/step-000000004.h5"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(checkpoints)/step-000000005.h5"))
        XCTAssertNil(try validations("stop")[4], "an abandoned validation records no score")
        // The requeued run continues from step 4 and validates at the end.
        let again = try Executables.mpirunSrdist(2, try settings("stop", validation: validation, ["train.steps=8", "train.eval_every=4"]) + ["--resume", "auto"])
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertTrue(again.output.contains("at step 4"), again.output)
        XCTAssertEqual(scores(try validations("stop")[8]).count, 3)
    }

    /// A stop during the final validation exits 85 with the last checkpoint unscored; the
    /// requeued run, already at the last step, runs that validation instead of "nothing to do".
    func testStopDuringTheFinalValidationIsMadeUpOnResume() throws {
        let validation = try validationSet()
        let args = try settings("final", validation: validation, ["train.steps=4", "train.eval_every=0"])
        let r = try Executables.mpirunSrdist(2, args, environment: ["SRDIST_TEST_SIGNAL_IN_VALIDATION": "4"])
        XCTAssertEqual(r.status, 85, r.output)
        XCTAssertTrue(r.output.contains("stop signal during the validation of step 4: validation abandoned"), r.output)
        XCTAssertNil(try validations("final")[4], "an abandoned validation records no score")
        let again = try Executables.mpirunSrdist(2, args + ["--resume", "auto"])
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertTrue(again.output.contains("step 4 of 4 has no validation (a stop signal came first): validating now"), again.output)
        XCTAssertEqual(scores(try validations("final")[4]).count, 3)
        let done = try Executables.mpirunSrdist(2, args + ["--resume", "auto"])
        XCTAssertTrue(done.output.contains("nothing to do: the run is already at step 4 of 4"), done.output)
    }

    func testConcurrentStagesValidateOnTheirOwnRanks() throws {
        let validation = try validationSet()
        let config = try config(validation: validation, stages: true)
        let run = dir.appendingPathComponent("run").path
        // Two computing ranks per node: ×2 computes on 2 of its 4 ranks; ×3 and ×4, which
        // share the node, on 1 of their 2 each.
        let r = try Executables.mpirunSrdist(4, ["--config", config, "--set", "run_dir=\(run)", "--set", "train.steps=4",
                                                 "--set", "train.eval_every=2", "--set", "train.validation_ranks_per_node=2"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(try validations("run/x2")[4]?["ranks"] as? Int, 2)
        XCTAssertEqual(try validations("run/x2")[4]?["group_ranks"] as? Int, 4)
        for stage in ["x3", "x4"] {
            let records = try validations("run/\(stage)")
            XCTAssertEqual(Set(records.keys), [0, 2, 4], stage)
            XCTAssertEqual(Set(records.values.map { $0["group_ranks"] as? Int }), [2], "\(stage) validates on its own 2 ranks")
            XCTAssertEqual(Set(records.values.map { $0["ranks"] as? Int }), [1], "\(stage) has half the node's computing ranks")
            XCTAssertEqual(scores(records[4]).count, 3, stage)
        }
    }
}
