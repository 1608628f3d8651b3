import Foundation
import Kernels
import Train
import XCTest

/// `train.grad_clip` on one rank: the reported norm against a hand-computed one, the
/// clipped gradient against the unclipped one times PyTorch's coefficient. The two-rank
/// check runs in `GradientClippingMPITests`.
final class GradientClippingTests: XCTestCase {
    func config(clip: Double) throws -> Config { try miniConfig(#""steps": 2, "grad_clip": \#(clip)"#) }

    static func handNorm(_ values: [Float]) -> Double { values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }

    func testNormAndClippedGradient() throws {
        let free = try Trainer(config: try config(clip: 0))
        _ = try free.step(0)
        let gradient = Array(free.model.grads.buffer)
        let norm = Self.handNorm(gradient)
        XCTAssertGreaterThan(norm, 0)
        XCTAssertEqual(free.gradientNorm, norm, accuracy: 1e-12 * norm)

        let maxNorm = norm / 4
        let clipped = try Trainer(config: try config(clip: maxNorm))
        _ = try clipped.step(0)
        XCTAssertEqual(clipped.gradientNorm, free.gradientNorm, "the reported norm is the one before clipping")
        let c = Float(maxNorm / (norm + 1e-6))
        XCTAssertEqual(Array(clipped.model.grads.buffer), gradient.map { $0 * c })
        XCTAssertEqual(Self.handNorm(Array(clipped.model.grads.buffer)), maxNorm, accuracy: 1e-5 * maxNorm)
        XCTAssertNotEqual(Array(clipped.model.params.buffer), Array(free.model.params.buffer))

        // A bound above the norm changes nothing.
        let loose = try Trainer(config: try config(clip: norm * 2))
        _ = try loose.step(0)
        XCTAssertEqual(Array(loose.model.params.buffer), Array(free.model.params.buffer))
    }

    /// Ranks of one job may run different thread counts: the norm's bits must not depend on them.
    func testNormIgnoresTheThreadCount() {
        let values = (0..<100_003).map { Float(sin(Double($0) * 0.37)) * 3 }
        var norms: [Double] = []
        for threads in [1, 2, 3] {
            norms.append(values.withUnsafeBufferPointer { GradientClipping.norm($0.baseAddress!, count: $0.count, threads: threads) })
        }
        XCTAssertEqual(Set(norms).count, 1, "\(norms)")
        XCTAssertEqual(norms[0], Self.handNorm(values), accuracy: 1e-9 * norms[0])
    }
}
