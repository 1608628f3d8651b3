import Foundation
import Kernels
import Models
import Train
import XCTest

final class TrainingTests: XCTestCase {
    func tinyConfig(steps: Int, seed: Int = 1) throws -> Config {
        try Config.parse(Data("""
        {"name": "tiny", "model": {"scale": 2, "blocks": 2, "features": 16},
         "train": {"batch_size": 8, "patch_size": 16, "steps": \(steps), "lr": 5e-4, "seed": \(seed), "threads_per_rank": 2},
         "data": {"kind": "synthetic", "synthetic_images": 12, "synthetic_size": 96}}
        """.utf8), file: "tiny.json")
    }

    /// A few hundred steps halve the L1 loss, and the same seed gives the same bits.
    func testTinyModelLearnsDeterministically() throws {
        func train() throws -> (first: Double, last: Double, params: [Float]) {
            let trainer = try Trainer(config: try tinyConfig(steps: 300))
            var losses: [Double] = []
            for t in 0..<300 { losses.append(try trainer.loss(at: t)) }
            let first = losses.prefix(20).reduce(0, +) / 20, last = losses.suffix(20).reduce(0, +) / 20
            return (first, last, Array(trainer.model.params.buffer))
        }
        let a = try train(), b = try train()
        XCTAssertLessThan(a.last, 0.5 * a.first, "loss \(a.first) → \(a.last)")
        XCTAssertEqual(a.params, b.params)
        XCTAssertEqual(a.last, b.last)
    }

    func testDifferentSeedsDiffer() throws {
        let a = try Trainer(config: try tinyConfig(steps: 1, seed: 1)), b = try Trainer(config: try tinyConfig(steps: 1, seed: 2))
        XCTAssertNotEqual(try a.loss(at: 0), try b.loss(at: 0))
    }

    func testLearningRateHalvesOnSchedule() {
        XCTAssertEqual(LRSchedule.step(every: 200_000, gamma: 0.5).rate(base: 1e-4, step: 0), 1e-4)
        XCTAssertEqual(LRSchedule.step(every: 200_000, gamma: 0.5).rate(base: 1e-4, step: 199_999), 1e-4)
        XCTAssertEqual(LRSchedule.step(every: 200_000, gamma: 0.5).rate(base: 1e-4, step: 200_000), 5e-5)
        XCTAssertEqual(LRSchedule.step(every: 200_000, gamma: 0.5).rate(base: 1e-4, step: 650_000), 1.25e-5)
    }

    /// Adam's first step moves every parameter with a non-zero gradient by lr in the
    /// direction opposite its gradient (bias correction makes m̂/√v̂ = sign(g)).
    func testAdamFirstStepIsSignedLearningRate() {
        let adam = Adam(count: 4, threads: 1)
        let p = Arena(count: 4), g = Arena(count: 4)
        for (i, v) in [0.5, -2, 0, 1e-3].enumerated() { g.base[i] = Float(v) }
        adam.update(params: p, grads: g, range: 0..<4, lr: 0.1)
        XCTAssertEqual(p.base[0], -0.1, accuracy: 1e-6)
        XCTAssertEqual(p.base[1], 0.1, accuracy: 1e-6)
        XCTAssertEqual(p.base[2], 0)
        XCTAssertEqual(p.base[3], -0.1, accuracy: 1e-4)
        XCTAssertEqual(adam.step, 1)
    }
}
