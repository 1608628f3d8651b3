import Foundation
import Kernels
import Models
import Train
import XCTest

/// `train.ema_decay`: the average against a hand computation over a few training
/// steps, no effect on the trained weights, and validation on the averaged weights.
final class EMATests: XCTestCase {
    func config(ema: Double) throws -> Config { try miniConfig(#""steps": 4, "lr": 1e-2, "ema_decay": \#(ema)"#) }

    /// ema₀ = θ₀, emaₜ = d·emaₜ₋₁ + (1−d)·θₜ after every update, computed in Double
    /// from the weights after each step; Float rounding of the lerp stays within 1e-6
    /// of the largest weight.
    func testAverageMatchesHandComputation() throws {
        let decay = 0.75
        let trainer = try Trainer(config: try config(ema: decay))
        let ema = try XCTUnwrap(trainer.ema)
        let count = trainer.model.layout.count
        var expected = (0..<count).map { Double(trainer.model.params.base[$0]) }
        XCTAssertEqual(Array(ema.weights.buffer), Array(trainer.model.params.buffer), "starts at the initial weights")
        for t in 0..<4 {
            XCTAssertTrue(try trainer.step(t).apply)
            for i in 0..<count { expected[i] = decay * expected[i] + (1 - decay) * Double(trainer.model.params.base[i]) }
        }
        let scale = expected.map(abs).max()!
        var worst = 0.0
        for i in 0..<count { worst = max(worst, abs(Double(ema.weights.base[i]) - expected[i])) }
        XCTAssertLessThan(worst, 1e-6 * scale)
        XCTAssertNotEqual(Array(ema.weights.buffer), Array(trainer.model.params.buffer), "the average lags the weights")
    }

    /// Keeping an average changes no trained bit, and validating swaps the weights back exactly.
    func testAverageLeavesTrainingAloneAndValidationUsesIt() throws {
        let plain = try Trainer(config: try config(ema: 0)), averaged = try Trainer(config: try config(ema: 0.5))
        XCTAssertNil(plain.ema)
        for t in 0..<4 {
            _ = try plain.step(t)
            _ = try averaged.step(t)
        }
        XCTAssertEqual(Array(plain.model.params.buffer), Array(averaged.model.params.buffer))
        let before = Array(averaged.model.params.buffer)
        let withEMA = try averaged.validate().model
        XCTAssertEqual(Array(averaged.model.params.buffer), before, "validation puts the trained weights back")
        XCTAssertNotEqual(withEMA.psnr, try plain.validate().model.psnr, "validation scores the averaged weights")
        // The same score as a model carrying the averaged weights as its own.
        let raw = try Trainer(config: try config(ema: 0))
        raw.model.params.base.update(from: averaged.ema!.weights.base, count: raw.model.layout.count)
        XCTAssertEqual(try raw.validate().model.psnr, withEMA.psnr)
    }

    /// An MDSR branch nobody trained keeps its average bit for bit (the lerp form), while
    /// the trained half moves by (1 − decay)·(θ − ema). In float32 the weighted-sum form
    /// d·ema + (1−d)·θ changes 296 of the 2048 untrained values here (none of 5 would
    /// tell), and a skipped update leaves the trained half where it was.
    func testUnchangedWeightsKeepTheirAverage() {
        let n = 4096, decay = 0.999
        let params = Arena(count: n)
        for i in 0..<n { params.base[i] = Float(i) * 0.37 - 0.5 }
        let ema = EMA(decay: decay, params: params, threads: 2)
        let before = Array(ema.weights.buffer)
        for i in n / 2..<n { params.base[i] += 0.25 }
        ema.update(from: params)
        XCTAssertEqual(Array(ema.weights.buffer[..<(n / 2)]), Array(before[..<(n / 2)]), "untrained weights keep their average")
        let a = Float(1 - decay)
        for i in n / 2..<n where ema.weights.base[i] != before[i] + a * (params.base[i] - before[i]) {
            XCTFail("trained weight \(i): \(ema.weights.base[i]), expected \(before[i] + a * (params.base[i] - before[i]))")
            break
        }
    }
}
