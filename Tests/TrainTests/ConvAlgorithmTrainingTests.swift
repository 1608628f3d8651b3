import Foundation
import Kernels
import Train
import XCTest

/// Training on the Winograd path follows the im2col reference's loss curve.
final class ConvAlgorithmTrainingTests: XCTestCase {
    /// 16 features, so every conv but the 3→16 head runs on Winograd; two threads.
    func losses(_ algorithm: ConvAlgorithm, tile: WinogradTile = .f4x4, steps: Int) throws -> [Double] {
        let cfg = try Config.parse(Data("""
        {"name": "tiny", "model": {"scale": 2, "blocks": 2, "features": 16},
         "train": {"batch_size": 8, "patch_size": 16, "steps": \(steps), "lr": 5e-4, "seed": 3, "threads_per_rank": 2,
                   "conv_algorithm": "\(algorithm.rawValue)", "winograd_tile": "\(tile.rawValue)"},
         "data": {"kind": "synthetic", "synthetic_images": 12, "synthetic_size": 96}}
        """.utf8), file: "tiny.json")
        let trainer = try Trainer(config: cfg)
        return try (0..<steps).map { try trainer.loss(at: $0) }
    }

    /// 300 steps: the loss falls and each 25-step window's mean stays within 1 % of the
    /// reference (measured: F(2×2) 1.2e-3, F(4×4) 1.5e-3, F(6×6) 6.6e-4). Rounding differences (~1e-5 relative
    /// per conv for F(4×4)) make the runs drift apart slowly, as two reduction orders
    /// would; a wrong gradient shows as a different curve within tens of steps.
    func testLossCurveMatchesIm2col() throws {
        let steps = 300, window = 25
        let reference = try losses(.im2col, steps: steps)
        for tile in WinogradTile.threeByThree {
            let fast = try losses(.winograd, tile: tile, steps: steps)
            XCTAssertNotEqual(fast, reference, "the Winograd path was not used")
            XCTAssertEqual(fast[0], reference[0], accuracy: 1e-4 * reference[0], "first step \(tile)")
            for start in stride(from: 0, to: steps, by: window) {
                let a = fast[start..<(start + window)].reduce(0, +) / Double(window)
                let b = reference[start..<(start + window)].reduce(0, +) / Double(window)
                XCTAssertEqual(a, b, accuracy: 0.01 * b, "\(tile) steps \(start)..<\(start + window)")
            }
            let (first, last) = (reference.prefix(window).reduce(0, +), fast.suffix(window).reduce(0, +))
            XCTAssertLessThan(last, 0.6 * first, "\(tile) did not learn")
        }
    }
}
