import Foundation
import Kernels
import Models
import Train
import XCTest

final class MDSRTrainingTests: XCTestCase {
    func config(schedule: String, steps: Int = 12) throws -> Config {
        try Config.parse(Data("""
        {"name": "mdsr", "model": {"arch": "mdsr", "scales": [2, 3, 4], "blocks": 1, "features": 8},
         "train": {"batch_size": 4, "patch_size": 12, "steps": \(steps), "lr": 1e-3, "scale_schedule": "\(schedule)",
                   "threads_per_rank": 2},
         "data": {"kind": "synthetic", "synthetic_images": 4, "synthetic_size": 60}}
        """.utf8), file: "mdsr.json")
    }

    /// The paper's schedule: one seeded scale per step, the same for every rank and rank
    /// count, and balanced over a run.
    func testPerStepScheduleIsSharedAndBalanced() {
        let s = ScaleSchedule(scales: [2, 3, 4], mode: .perStep, seed: 9)
        var counts: [Int: Int] = [:]
        for t in 0..<6000 {
            let chosen = s.scale(step: t, rank: 0)
            XCTAssertEqual(s.scale(step: t, rank: 3), chosen)
            counts[chosen, default: 0] += 1
        }
        XCTAssertEqual(counts, [2: 2000, 3: 2000, 4: 2000])  // a shuffled block of the 3 scales per 3 steps
        // …in random order: not a fixed rotation.
        XCTAssertGreaterThan(Set((0..<30).map { t in (0..<3).map { s.scale(step: 3 * t + $0, rank: 0) } }).count, 3)
        XCTAssertEqual(s.samplesPerScale(step: 7, batch: 16, ranks: 4), [s.scale(step: 7, rank: 0): 16])
    }

    /// Staggered: ranks split across the scales, shifting every step.
    func testPerRankScheduleCoversEveryScaleEachStep() {
        let s = ScaleSchedule(scales: [2, 3, 4], mode: .perRank, seed: 9)
        XCTAssertEqual((0..<3).map { s.scale(step: 0, rank: $0) }, [2, 3, 4])
        XCTAssertEqual((0..<3).map { s.scale(step: 1, rank: $0) }, [3, 4, 2])
        XCTAssertEqual(s.samplesPerScale(step: 0, batch: 16, ranks: 3), [2: 5, 3: 5, 4: 6])
        XCTAssertEqual(s.samplesPerScale(step: 0, batch: 16, ranks: 2), [2: 8, 3: 8])
    }

    /// A step at scale s changes the shared modules and s's branch only: the other
    /// branches' weights, Adam moments and step counters stay bit-identical.
    func testInactiveBranchesStayUntouched() throws {
        for mode in ["per_step", "per_rank"] {
            let trainer = try Trainer(config: try config(schedule: mode))
            let mdsr = trainer.model as! MDSR
            for t in 0..<6 {
                let active = trainer.data.schedule.scale(step: t, rank: 0)
                let snapshot = { (arena: Arena, ranges: [Range<Int>]) in ranges.flatMap { Array(arena.buffer[$0]) } }
                let inactive = [2, 3, 4].filter { $0 != active }
                let before = inactive.map { s in
                    (snapshot(mdsr.params, mdsr.branchRanges(scale: s)), snapshot(trainer.adam.m, mdsr.branchRanges(scale: s)),
                     snapshot(trainer.adam.v, mdsr.branchRanges(scale: s)), trainer.adam.steps[MDSR.branchName(scale: s)])
                }
                let shared = snapshot(mdsr.params, mdsr.sharedRanges), mine = snapshot(mdsr.params, mdsr.branchRanges(scale: active))
                XCTAssertTrue(try trainer.step(t).apply)
                for (s, b) in zip(inactive, before) {
                    XCTAssertEqual(snapshot(mdsr.params, mdsr.branchRanges(scale: s)), b.0, "\(mode) step \(t) ×\(s) weights")
                    XCTAssertEqual(snapshot(trainer.adam.m, mdsr.branchRanges(scale: s)), b.1, "\(mode) ×\(s) m")
                    XCTAssertEqual(snapshot(trainer.adam.v, mdsr.branchRanges(scale: s)), b.2, "\(mode) ×\(s) v")
                    XCTAssertEqual(trainer.adam.steps[MDSR.branchName(scale: s)], b.3, "\(mode) ×\(s) counter")
                }
                XCTAssertNotEqual(snapshot(mdsr.params, mdsr.sharedRanges), shared)
                XCTAssertNotEqual(snapshot(mdsr.params, mdsr.branchRanges(scale: active)), mine)
            }
            XCTAssertEqual(trainer.adam.steps[Adam.sharedBranch], 6)
            XCTAssertEqual([2, 3, 4].map { trainer.adam.steps[MDSR.branchName(scale: $0)] ?? 0 }.reduce(0, +), 6)
        }
    }

    func testMDSRLearns() throws {
        let trainer = try Trainer(config: try config(schedule: "per_step", steps: 150))
        var losses: [Double] = []
        for t in 0..<150 { losses.append(try trainer.loss(at: t)) }
        let first = losses.prefix(15).reduce(0, +) / 15, last = losses.suffix(15).reduce(0, +) / 15
        XCTAssertLessThan(last, 0.7 * first, "loss \(first) → \(last)")
    }
}

final class CoordinatorTests: XCTestCase {
    /// Ranks are split in proportion to the stages' steps, each stage at least one rank.
    func testRankGroupsFollowCost() {
        XCTAssertEqual(rankGroups([100, 100], ranks: 4), [0..<2, 2..<4])
        XCTAssertEqual(rankGroups([300, 100], ranks: 4), [0..<3, 3..<4])
        XCTAssertEqual(rankGroups([1, 1000], ranks: 3), [0..<1, 1..<3])
        XCTAssertEqual(rankGroups([5, 5, 5], ranks: 3), [0..<1, 1..<2, 2..<3])
    }

    func testStagesAreValidated() {
        func message(_ stages: String) -> String {
            do {
                _ = try Config.parse(Data(#"{"train": {"steps": 5}, "stages": \#(stages)}"#.utf8), file: "s.json")
                return "no error"
            } catch { return "\(error)" }
        }
        XCTAssertEqual(message(#"[{"name": "x3", "scale": 3, "init_from": "x2"}]"#),
                       "s.json: key 'stages[0].init_from' must name an earlier stage, got \"x2\"")
        XCTAssertEqual(message(#"[{"name": "a", "scale": 2}, {"name": "a", "scale": 3}]"#),
                       "s.json: key 'stages[1].name' \"a\" is used twice")
        XCTAssertEqual(message(#"[{"name": "a", "scale": 2, "lr": 1}]"#), "s.json: key 'stages[0].lr' is unknown")
        XCTAssertEqual(message(#"[{"name": "a", "scale": 2}, {"name": "b", "scale": 4, "init_from": "a"}]"#), "no error")
    }
}
