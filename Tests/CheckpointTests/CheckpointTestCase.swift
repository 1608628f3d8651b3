import Checkpoint
import Foundation
import Kernels
import Models
import XCTest

/// Base for checkpoint tests: a fresh temporary folder per test, and small but real
/// EDSR checkpoints with every field set to something distinctive.
class CheckpointTestCase: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "srdist-ckpt-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func file(_ name: String) -> String { dir + "/" + name }

    /// An EDSR B2 F8 checkpoint with random weights and moments drawn from `seed`; its
    /// counters are consistent with `step`, as `CheckpointFile.read` requires.
    func sample(scale: Int = 2, step: Int = 1234, seed: UInt64 = 1, optimizer: Bool = true) -> CheckpointContents {
        let model = EDSR(EDSRConfig(scale: scale, blocks: 2, features: 8, resScale: 0.1), seed: seed)
        let rng = CounterRandom(seed: seed)
        let m = (0..<model.layout.count).map { rng.unit(1, UInt64($0)) - 0.5 }
        let v = (0..<model.layout.count).map { rng.unit(2, UInt64($0)) * 1e-3 }
        return CheckpointContents(
            model: "edsr", scales: [scale], step: step, stage: "stage-×\(scale)", worldSize: 16,
            configJSON: #"{"name": "tést", "model": {"scale": \#(scale)}}"#, created: "2025-01-31T12:34:56Z",
            layout: model.layout, params: Array(model.params.buffer),
            optimizer: optimizer ? OptimizerState(m: m, v: v, steps: ["shared": step, "x2": min(17, step)], learningRate: 2.5e-5) : nil,
            state: TrainingState(dataStep: step, rngSeed: 0xFEDC_BA98_7654_3210, skippedSteps: min(3, step), bestPSNR: 31.25,
                                 bestStep: min(1000, step), metricsHistory: #"[{"step": 1000, "psnr": 31.25}]"#))
    }

    /// Asserts that `body` throws a `CheckpointError` whose one-line message contains
    /// every fragment.
    func assertCheckpointError(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                               _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("expected a CheckpointError containing \(fragments)", file: file, line: line)
        } catch let e as CheckpointError {
            XCTAssertFalse(e.description.contains("\n"), "not one line: \(e.description)", file: file, line: line)
            for f in fragments { XCTAssertTrue(e.description.contains(f), "\"\(e.description)\" lacks \"\(f)\"", file: file, line: line) }
        } catch {
            XCTFail("expected a CheckpointError, got \(error)", file: file, line: line)
        }
    }
}
