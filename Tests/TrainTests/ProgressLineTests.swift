import Distributed
import Foundation
@testable import Train
import XCTest

/// What the progress line and the stop-budget warning say around a validation: a long
/// validation before a stage's first step (the ×3/×4 stages score their `init_from`
/// weights at step 0) must not read as a slow step.
final class ProgressLineTests: XCTestCase {
    /// Throughput leaves out the validation since the previous line: 4 patches in the
    /// 10 s of 110 that were not validation are 0.4 patches/s, not 4/110.
    func testRatesLeaveOutValidation() throws {
        let meter = ProgressMeter(trainer: try Trainer(config: miniConfig(#""steps": 10"#)), start: 0)
        meter.recordValidation(seconds: 100, complete: true)
        meter.record(StepDecision(apply: true, stop: nil, loss: 1))
        let (text, fields) = meter.line(step: 1, now: meter.windowStart.addingTimeInterval(110))
        XCTAssertEqual(try XCTUnwrap(fields["patches_per_second"] as? Double), 0.4, accuracy: 1e-9, text)
        XCTAssertTrue(text.contains("0.4 patches/s"), text)
        // The next window starts afresh: no validation in it.
        meter.record(StepDecision(apply: true, stop: nil, loss: 1))
        let next = meter.line(step: 2, now: meter.windowStart.addingTimeInterval(2)).fields
        XCTAssertEqual(try XCTUnwrap(next["patches_per_second"] as? Double), 2, accuracy: 1e-9)
    }

    /// The warning names what was measured: before any step, the validation image and
    /// the save alone; once a step ran, all three.
    func testStopBudgetWarningNamesWhatRan() throws {
        var budget = StopBudget(seconds: 30)
        budget.recordValidationImage(400)
        let first = try XCTUnwrap(budget.recordSave(5))
        XCTAssertTrue(first.hasPrefix("warning: a validation image (400.0 s) and a checkpoint save (5.0 s) take longer than "
                                      + "checkpoint.stop_budget_seconds (30 s)"), first)
        XCTAssertNil(budget.recordSave(5), "the warning comes once")
        var stepped = StopBudget(seconds: 30)
        stepped.recordStep(40)
        let all = try XCTUnwrap(stepped.recordSave(1))
        XCTAssertTrue(all.hasPrefix("warning: a step (40.0 s) and a checkpoint save (1.0 s) take longer"), all)
        var alone = StopBudget(seconds: 1)
        XCTAssertTrue(try XCTUnwrap(alone.recordSave(2)).hasPrefix("warning: a checkpoint save (2.0 s) takes longer"))
    }
}
