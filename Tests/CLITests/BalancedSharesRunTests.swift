import Checkpoint
import Foundation
import TestSupport
import XCTest

/// `distributed.balance: "measured"` in whole runs, with rank 1 slowed through
/// `SRDIST_TEST_INJECT_DELAY`: concurrent stages balance each group on its own ranks;
/// the shares in force go into the checkpoint and come back on resume at the same rank
/// count; a resume at another rank count starts from equal shares.
final class BalancedSharesRunTests: ScratchFolderTestCase {
    override class var folderPrefix: String { "srdist-balance" }

    private func writeConfig(_ extra: String) throws -> String {
        let path = dir.appendingPathComponent("balance.json").path
        try """
        { "name": "balance", "model": { "arch": "edsr", "scale": 2, "blocks": 1, "features": 8 },
          "train": { "batch_size": 8, "patch_size": 12, "steps": 6, "lr": 1e-3, "log_every": 1, "threads_per_rank": 1 },
          "distributed": { "balance": "measured", "balance_window": 2 },
          "data": { "kind": "synthetic", "synthetic_images": 4, "synthetic_size": 60 },
          \(extra) "run_dir": "\(dir.path)/run" }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The `shares` lists of a run folder's progress records, by step.
    private func progressShares(_ folder: String) throws -> [Int: [Int]] {
        let text = try String(contentsOfFile: "\(folder)/metrics.jsonl", encoding: .utf8)
        var shares: [Int: [Int]] = [:]
        for line in text.split(separator: "\n") {
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], o["event"] as? String == "progress",
                  let step = o["step"] as? Int, let s = o["shares"] as? [Int] else { continue }
            shares[step] = s
        }
        return shares
    }

    func testConcurrentStagesBalanceEachGroupOnItsOwnRanks() throws {
        let config = try writeConfig("""
            "stages": [ { "name": "x3", "scale": 3 }, { "name": "x4", "scale": 4 } ], "concurrent": true,
            """)
        // Rank 1 of each stage's group of 2 (world ranks 1 and 3) sleeps 15 ms a sample.
        let r = try Executables.mpirunSrdist(4, ["--config", config], environment: ["SRDIST_TEST_INJECT_DELAY": "1:15"])
        XCTAssertEqual(r.status, 0, r.output)
        for stage in ["x3", "x4"] {
            let shares = try progressShares("\(dir.path)/run/\(stage)")
            XCTAssertEqual(shares[1], [4, 4], "\(stage): equal shares first, over the group's 2 ranks: \(shares)")
            let last = try XCTUnwrap(shares[6], "\(stage): \(shares)")
            XCTAssertEqual(last.reduce(0, +), 8)
            XCTAssertGreaterThan(last[0], last[1], "\(stage): the slowed rank computes less: \(shares)\n\(r.output)")
        }
    }

    func testEqualSharesStayAndAdviseOnce() throws {
        let config = try writeConfig("")
        let r = try Executables.mpirunSrdist(2, ["--config", config, "--set", "distributed.balance=equal"],
                                             environment: ["SRDIST_TEST_INJECT_DELAY": "1:15"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(r.output.components(separatedBy: "distributed.balance \"measured\" would give shares").count, 2, r.output)
        XCTAssertEqual(Set(try progressShares("\(dir.path)/run").values), [[4, 4]])
        XCTAssertNil(try CheckpointFile.read(path: try CheckpointStore.locate("\(dir.path)/run/checkpoints/latest")).state.batchWeights)
    }

    func testSharesInForceAreCheckpointedAndResumedAtAnyRankCount() throws {
        let config = try writeConfig("")
        let slow = ["SRDIST_TEST_INJECT_DELAY": "1:15"]
        let first = try Executables.mpirunSrdist(2, ["--config", config], environment: slow)
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertTrue(first.output.contains("shares from step"), first.output)
        let stored = try CheckpointFile.read(path: try CheckpointStore.locate("\(dir.path)/run/checkpoints/latest")).state.batchWeights
        let weights = try XCTUnwrap(stored, "the checkpoint stores the shares in force")
        XCTAssertEqual(weights.count, 2)
        XCTAssertGreaterThan(weights[0], weights[1])
        // Same rank count: the first resumed step already has the stored shares.
        let same = try Executables.mpirunSrdist(2, ["--config", config, "--set", "train.steps=8", "--resume", "auto"], environment: slow)
        XCTAssertEqual(same.status, 0, same.output)
        let resumed = try XCTUnwrap(try progressShares("\(dir.path)/run")[7])
        XCTAssertGreaterThan(resumed[0], resumed[1], "\(resumed)")
        // Three ranks: the stored per-rank weights do not apply; the run goes on from equal shares.
        let three = try Executables.mpirunSrdist(3, ["--config", config, "--set", "train.steps=10", "--resume", "auto"])
        XCTAssertEqual(three.status, 0, three.output)
        XCTAssertTrue(three.output.contains("resumed from"), three.output)
        XCTAssertEqual(try progressShares("\(dir.path)/run")[9], [2, 3, 3])
    }
}
