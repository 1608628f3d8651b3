import Foundation
import Train
import XCTest

/// `train.lr_schedule`: each schedule against its closed form at chosen steps, and the
/// config edge (one line naming the key for every mistake).
final class LRScheduleTests: XCTestCase {
    func parse(_ train: String, stages: String = "") throws -> Config {
        try Config.parse(Data(#"{"model": {"scale": 2}, "train": {"steps": 1000, "lr": 1e-3\#(train)}\#(stages)}"#.utf8), file: "test.json")
    }

    func error(_ train: String, stages: String = "") -> String {
        do { _ = try parse(train, stages: stages); return "no error" } catch { return "\(error)" }
    }

    func testStepIsTodaysHalving() throws {
        let s = try parse(#", "lr_decay_steps": 300"#).train.lrSchedule
        XCTAssertEqual(s, .step(every: 300, gamma: 0.5))
        for (t, expected) in [(0, 1e-3), (299, 1e-3), (300, 5e-4), (899, 2.5e-4), (900, 1.25e-4)] {
            XCTAssertEqual(s.rate(base: 1e-3, step: t), Float(expected), "step \(t)")
        }
        XCTAssertEqual(try parse(#", "gamma": 0.1"#).train.lrSchedule.rate(base: 1e-3, step: 200_000), Float(1e-3 * 0.1))
    }

    func testMultistepDecaysAtEachMilestone() throws {
        let s = try parse(#", "lr_schedule": "multistep", "milestones": [100, 250, 600], "gamma": 0.1"#).train.lrSchedule
        XCTAssertEqual(s, .multistep(milestones: [100, 250, 600], gamma: 0.1))
        for (t, decays) in [(0, 0), (99, 0), (100, 1), (249, 1), (250, 2), (599, 2), (600, 3), (999, 3)] {
            XCTAssertEqual(s.rate(base: 1e-3, step: t), Float(1e-3 * pow(0.1, Double(decays))), "step \(t)")
        }
    }

    func testCosineWarmsUpLinearlyThenFollowsHalfACosine() throws {
        let s = try parse(#", "lr_schedule": "cosine", "warmup_steps": 100, "min_lr": 1e-5"#).train.lrSchedule
        XCTAssertEqual(s, .cosine(warmupSteps: 100, minLR: 1e-5, totalSteps: 1000))
        XCTAssertEqual(s.rate(base: 1e-3, step: 0), Float(1e-5))      // 1/100 of lr
        XCTAssertEqual(s.rate(base: 1e-3, step: 49), Float(5e-4))
        XCTAssertEqual(s.rate(base: 1e-3, step: 99), Float(1e-3))
        XCTAssertEqual(s.rate(base: 1e-3, step: 100), Float(1e-3))     // cos 0
        XCTAssertEqual(s.rate(base: 1e-3, step: 550), Float(1e-5 + (1e-3 - 1e-5) / 2), accuracy: 1e-9)  // halfway
        XCTAssertEqual(s.rate(base: 1e-3, step: 1000), Float(1e-5))    // cos π
        for t in [100, 400, 700, 999] {
            let p = Double(t - 100) / 900
            XCTAssertEqual(s.rate(base: 1e-3, step: t), Float(1e-5 + (1e-3 - 1e-5) * 0.5 * (1 + cos(Double.pi * p))), "step \(t)")
        }
        // No warm-up: the first step runs at lr.
        XCTAssertEqual(try parse(#", "lr_schedule": "cosine""#).train.lrSchedule.rate(base: 1e-3, step: 0), Float(1e-3))
    }

    func testMistakesNameTheKey() {
        let cases: [(String, String)] = [
            (#", "lr_schedule": "linear""#, #"key 'train.lr_schedule' must be one of "step", "multistep", "cosine", got "linear""#),
            (#", "lr_schedule": "multistep""#, "key 'train.milestones' must be a non-empty list of steps"),
            (#", "lr_schedule": "multistep", "milestones": []"#, "key 'train.milestones' must be a non-empty list of steps"),
            (#", "lr_schedule": "multistep", "milestones": [500, 200]"#, "key 'train.milestones' must be steps ≥ 1 in increasing order, got [500, 200]"),
            (#", "lr_schedule": "multistep", "milestones": [200, 200]"#, "key 'train.milestones' must be steps ≥ 1 in increasing order"),
            (#", "lr_schedule": "multistep", "milestones": [0, 200]"#, "key 'train.milestones' must be steps ≥ 1 in increasing order"),
            (#", "lr_schedule": "multistep", "milestones": [200, 2.5]"#, "key 'train.milestones' must be a non-empty list of steps"),
            (#", "lr_schedule": "multistep", "milestones": [200, 1000]"#, "key 'train.milestones' has 1000, not below the run's 1000 steps"),
            (#", "lr_schedule": "multistep", "milestones": [200], "gamma": 2"#, "key 'train.gamma' must be at most 1.0, got 2.0"),
            (#", "lr_schedule": "multistep", "milestones": [200], "lr_decay_steps": 5"#, #"key 'train.lr_decay_steps' is not used by lr_schedule "multistep""#),
            (#", "milestones": [200]"#, #"key 'train.milestones' is not used by lr_schedule "step""#),
            (#", "warmup_steps": 10"#, #"key 'train.warmup_steps' is not used by lr_schedule "step""#),
            (#", "lr_schedule": "cosine", "gamma": 0.5"#, #"key 'train.gamma' is not used by lr_schedule "cosine" (remove it, or --set train.gamma=null)"#),
            (#", "lr_schedule": "cosine", "warmup_steps": 1000"#, "key 'train.warmup_steps' is 1000, must be below the run's 1000 steps"),
            (#", "lr_schedule": "cosine", "warmup_steps": -1"#, "key 'train.warmup_steps' must be at least 0, got -1"),
            (#", "lr_schedule": "cosine", "min_lr": 0.01"#, "key 'train.min_lr' must be between 0 and train.lr (0.001), got 0.01"),
            (#", "lr_schedule": "cosine", "min_lr": -1e-6"#, "key 'train.min_lr' must be between 0 and train.lr"),
            (#", "lr_schedule": 3"#, "key 'train.lr_schedule' must be a string"),
        ]
        for (train, expected) in cases {
            let e = error(train)
            XCTAssertTrue(e.hasPrefix("test.json: " + expected), "\(train): \(e)")
            XCTAssertFalse(e.contains("\n"), e)
        }
    }

    /// A stage is a run of its own: a milestone past a shorter stage is refused up front,
    /// and a cosine spans the stage's steps.
    func testStagesCheckTheirOwnLength() throws {
        let stages = #", "stages": [{"name": "x2", "scale": 2}, {"name": "x3", "scale": 3, "steps": 400, "init_from": "x2"}]"#
        XCTAssertTrue(error(#", "lr_schedule": "multistep", "milestones": [500]"#, stages: stages)
            .hasPrefix("test.json: key 'stages[1].steps' is 400, but train.milestones has 500, not below the run's 400 steps"))
        XCTAssertEqual(error(#", "lr_schedule": "multistep", "milestones": [300]"#, stages: stages), "no error")
        XCTAssertEqual(error(#", "lr_schedule": "cosine", "lr_decay_steps": null"#), "no error")
        let base = try parse(#", "lr_schedule": "cosine", "warmup_steps": 10"#, stages: stages)
        let stage = try Config.parse(Data(base.json.utf8), file: "stage", overrides: ["train.steps=400"])
        XCTAssertEqual(stage.train.lrSchedule, .cosine(warmupSteps: 10, minLR: 0, totalSteps: 400))
    }

    func testEMAAndClippingKeys() throws {
        let c = try parse(#", "ema_decay": 0.999, "grad_clip": 0.5"#)
        XCTAssertEqual(c.train.emaDecay, 0.999)
        XCTAssertEqual(c.train.gradClip, 0.5)
        let defaults = try parse("")
        XCTAssertEqual(defaults.train.emaDecay, 0)
        XCTAssertEqual(defaults.train.gradClip, 0)
        XCTAssertTrue(error(#", "ema_decay": 1"#).hasPrefix("test.json: key 'train.ema_decay' must be 0 (off) or between 0 and 1 (exclusive), got 1.0"))
        XCTAssertTrue(error(#", "ema_decay": -0.5"#).hasPrefix("test.json: key 'train.ema_decay' must be 0 (off)"))
        XCTAssertTrue(error(#", "grad_clip": -1"#).hasPrefix("test.json: key 'train.grad_clip' must be 0 (off) or a positive norm, got -1.0"))
        XCTAssertTrue(error(#", "grad_clip": "big""#).hasPrefix("test.json: key 'train.grad_clip' must be a number"))
    }
}
