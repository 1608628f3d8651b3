import Models
import TestSupport
import Train
import XCTest

/// Per-branch Adam over MDSR's ranges: a step of scale s updates the shared modules
/// and branch s with their own step counters; other branches stay bit-identical.
final class AdamBranchTests: XCTestCase {
    private func bits(_ a: Arena, _ ranges: [Range<Int>]) -> [UInt32] {
        ranges.flatMap { r in r.map { a.base[$0].bitPattern } }
    }

    func testUpdatingBranchX2LeavesX3Untouched() {
        let model = MDSR(MDSRConfig(scales: [2, 3, 4], blocks: 1, features: 4), seed: 1)
        let count = model.layout.count
        let adam = Adam(count: count, threads: 2)
        // Gradients everywhere, so only the ranges passed can limit what changes.
        let grads = Arena(count: count)
        randomArray(count, seed: 2).withUnsafeBufferPointer { grads.base.update(from: $0.baseAddress!, count: count) }
        let shared = model.sharedRanges, x2 = model.branchRanges(scale: 2), x3 = model.branchRanges(scale: 3)
        let (x2Name, x3Name) = (MDSR.branchName(scale: 2), MDSR.branchName(scale: 3))

        // One ×3 step gives x3 non-zero moments and a counter of 1.
        adam.update(params: model.params, grads: grads, ranges: shared, branch: Adam.sharedBranch, lr: 1e-3)
        adam.update(params: model.params, grads: grads, ranges: x3, branch: x3Name, lr: 1e-3)
        let before = (p: bits(model.params, x3), m: bits(adam.m, x3), v: bits(adam.v, x3))
        XCTAssertTrue(before.m.contains { $0 != 0 })
        let x2Before = bits(model.params, x2)

        // A ×2 step: shared is at t = 2, x2 at t = 1.
        adam.update(params: model.params, grads: grads, ranges: shared, branch: Adam.sharedBranch, lr: 1e-3)
        adam.update(params: model.params, grads: grads, ranges: x2, branch: x2Name, lr: 1e-3)

        XCTAssertEqual(bits(model.params, x3), before.p)
        XCTAssertEqual(bits(adam.m, x3), before.m)
        XCTAssertEqual(bits(adam.v, x3), before.v)
        XCTAssertEqual(adam.steps, [Adam.sharedBranch: 2, x3Name: 1, x2Name: 1])
        XCTAssertEqual(adam.step, 2)
        XCTAssertNil(adam.steps[MDSR.branchName(scale: 4)])
        // x2's first update uses its own t = 1: m̂/√v̂ = sign(g), so each parameter
        // moves by lr against its gradient (a shared t = 2 would move it by ~0.74·lr).
        let x2Indices = x2.flatMap { Array($0) }
        for (i, old) in zip(x2Indices, x2Before) {
            let g = grads.base[i]
            guard abs(g) > 1e-3 else { continue }
            XCTAssertEqual(model.params.base[i] - Float(bitPattern: old), g > 0 ? -1e-3 : 1e-3, accuracy: 1e-5)
        }
    }
}
