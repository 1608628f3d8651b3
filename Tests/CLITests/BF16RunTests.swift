import Checkpoint
import Foundation
import TestSupport
import XCTest

/// bf16 training through the srdist binary: the refusal, 1 vs 2 ranks, and resume across
/// precisions. bf16 runs here on the reference engine (`SRDIST_BF16=reference`), the only
/// one built; without the switch every CPU refuses it today.
final class BF16RunTests: ScratchFolderTestCase {
    override class var folderPrefix: String { "srdist-bf16" }
    override class var runSettings: [String] { ["train.log_every=5", "checkpoint.save_every=1000"] }
    override class var runEnvironment: [String: String] { ["SRDIST_BF16": "reference"] }

    func checkpoint(_ run: String) throws -> CheckpointContents {
        try CheckpointFile.read(path: try CheckpointStore.locate("\(dir.path)/\(run)"))
    }

    /// bf16 where no engine runs: one line naming the setting, the CPU and what it
    /// lacks, exit 1, nothing trained. `SRDIST_BF16=none` forces it on any CPU; without
    /// the switch this CPU refuses too (no AMX or AVX512-BF16 engine is built yet).
    func testBF16IsRefusedWithOneLineAndNothingRuns() throws {
        for path in ["none", nil] {
            let r = try train("refused", steps: 2, ["--set", "train.precision=bf16"], environment: path.map { ["SRDIST_BF16": $0] } ?? [:])
            XCTAssertEqual(r.status, 1, r.output)
            // The one line, besides the echo of the --set overrides (standard output, so
            // it may come second).
            let lines = r.output.split(separator: "\n")
            XCTAssertEqual(lines.count, 2, r.output)
            XCTAssertEqual(lines.filter { $0.hasPrefix("config overrides: ") }.count, 1, r.output)
            let error = lines.first { $0.hasPrefix("Error: train.precision is bf16, but ") } ?? ""
            XCTAssertTrue(error.contains(path == nil ? "AVX512-BF16" : "SRDIST_BF16=none refuses bf16 on this "), r.output)
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir.path)/refused"), "the refused run claimed its folder")
        }
        let upscale = try srdist(["upscale", tiny, "\(dir.path)/out.png", "--checkpoint", "none.h5", "--precision", "bf16"],
                                 environment: ["SRDIST_BF16": "none"])
        XCTAssertNotEqual(upscale.status, 0)
        XCTAssertTrue(upscale.output.contains("--precision is bf16, but SRDIST_BF16=none refuses bf16"), upscale.output)
    }

    /// The global batch split over 2 ranks trains the same bf16 model as 1 rank, up to
    /// the gradient sum's order; 2 ranks twice give the same bits.
    func testOneAndTwoRanksAgreeInBF16() throws {
        let bf16 = ["--set", "train.precision=bf16"]
        for (run, np) in [("np1", 1), ("np2", 2), ("np2again", 2)] {
            let r = try train(run, steps: 12, bf16, np: np)
            XCTAssertEqual(r.status, 0, r.output)
            XCTAssertTrue(r.output.contains("precision bf16 (reference engine)"), r.output)
        }
        let (one, two) = (try checkpoint("np1").params, try checkpoint("np2").params)
        let err = zip(one, two).map { abs($0 - $1) }.max()!
        // fp32 reaches ~1e-5 here (TrainRunTests.testRankCountsAgree); a weight whose
        // reassociation noise moves it across a bf16 rounding boundary adds up to 2⁻⁸ of
        // itself to one product, so bf16 gets 10× the room. A wrong split is O(1e-2).
        XCTAssertLessThan(err / one.map(abs).max()!, 1e-3)
        XCTAssertNotEqual(one, try fp32Params(), "the bf16 runs trained in fp32")
        XCTAssertEqual(two, try checkpoint("np2again").params)
    }

    /// 12 fp32 steps of the same run, for `testOneAndTwoRanksAgreeInBF16`.
    func fp32Params() throws -> [Float] {
        XCTAssertEqual(try train("fp32", steps: 12, environment: [:]).status, 0)
        return try checkpoint("fp32").params
    }

    /// fp32 → bf16 → fp32 by resuming: each checkpoint records its precision, the
    /// weights stay fp32 throughout, and the run ends where a straight fp32 run does, to
    /// within what 10 bf16 steps move it.
    func testResumeAcrossPrecisions() throws {
        XCTAssertEqual(try train("straight", steps: 30, environment: [:]).status, 0)
        XCTAssertEqual(try train("mixed", steps: 10, environment: [:]).status, 0)
        XCTAssertEqual(try checkpoint("mixed").precision, "fp32")
        let middle = try train("mixed", steps: 20, ["--resume", "auto", "--set", "train.precision=bf16"])
        XCTAssertEqual(middle.status, 0, middle.output)
        XCTAssertTrue(middle.output.contains("at step 10") && middle.output.contains("precision bf16 (reference engine)"), middle.output)
        XCTAssertEqual(try checkpoint("mixed").precision, "bf16")
        let last = try train("mixed", steps: 30, ["--resume", "auto"], environment: [:])
        XCTAssertEqual(last.status, 0, last.output)
        XCTAssertTrue(last.output.contains("at step 20") && last.output.contains("precision fp32"), last.output)
        let end = try checkpoint("mixed")
        XCTAssertEqual(end.step, 30)
        XCTAssertEqual(end.precision, "fp32")
        let straight = try checkpoint("straight").params
        let err = zip(end.params, straight).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(err, 0, "the bf16 stage trained in fp32")
        XCTAssertLessThan(err / straight.map(abs).max()!, 0.05)
    }
}
