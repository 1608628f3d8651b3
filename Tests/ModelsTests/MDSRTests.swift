import Kernels
import Models
import TestSupport
import XCTest

final class MDSRTests: XCTestCase {
    /// Two workers, so chunked loops and per-worker partial sums are exercised.
    let kernels = KernelContext(KernelSettings(threads: 2))

    /// EDSR-PyTorch's totals for MDSR-baseline (B16 F64) and MDSR (B80 F64), ×2/×3/×4.
    func testParameterCounts() {
        XCTAssertEqual(MDSR(MDSRConfig(scales: [2, 3, 4], blocks: 16, features: 64), seed: 0, kernels: kernels).layout.count, 3_227_203)
        XCTAssertEqual(MDSR(MDSRConfig(scales: [2, 3, 4], blocks: 80, features: 64), seed: 0, kernels: kernels).layout.count, 7_953_987)
    }

    /// state_dict order of mdsr.py (pre_process, upsample, head, body, tail), offsets
    /// contiguous, and the shared/branch ranges partition the arena.
    func testLayoutNamesShapesAndRanges() {
        let model = MDSR(MDSRConfig(scales: [2, 3, 4], blocks: 1, features: 4), seed: 0, kernels: kernels)
        let layout = model.layout
        var offset = 0
        for v in layout.views {
            XCTAssertEqual(v.offset, offset, v.name)
            offset += v.count
        }
        XCTAssertEqual(offset, layout.count)
        let conv = { (prefix: String) in ["\(prefix).weight", "\(prefix).bias"] }
        let block = { (prefix: String) in conv("\(prefix).body.0") + conv("\(prefix).body.2") }
        let expected = (0..<3).flatMap { i in block("pre_process.\(i).0") + block("pre_process.\(i).1") }
            + conv("upsample.0.0") + conv("upsample.1.0") + conv("upsample.2.0") + conv("upsample.2.2")
            + conv("head.0") + block("body.0") + conv("body.1") + conv("tail.0")
        XCTAssertEqual(layout.views.map(\.name), expected)
        XCTAssertEqual(layout.view(named: "pre_process.1.0.body.0.weight")?.shape, [4, 4, 5, 5])
        XCTAssertEqual(layout.view(named: "upsample.0.0.weight")?.shape, [16, 4, 3, 3])
        XCTAssertEqual(layout.view(named: "upsample.1.0.weight")?.shape, [36, 4, 3, 3])
        XCTAssertEqual(layout.view(named: "upsample.2.2.weight")?.shape, [16, 4, 3, 3])
        XCTAssertEqual(layout.view(named: "tail.0.weight")?.shape, [3, 4, 3, 3])

        func start(_ name: String) -> Int { layout.view(named: name)!.offset }
        XCTAssertEqual(model.sharedRanges, [start("head.0.weight")..<layout.count])
        XCTAssertEqual(model.branchRanges(scale: 3), [start("pre_process.1.0.body.0.weight")..<start("pre_process.2.0.body.0.weight"),
                                                      start("upsample.1.0.weight")..<start("upsample.2.0.weight")])
        let all = (model.sharedRanges + [2, 3, 4].flatMap { model.branchRanges(scale: $0) }).sorted { $0.lowerBound < $1.lowerBound }
        XCTAssertEqual(all.first?.lowerBound, 0)
        XCTAssertEqual(all.last?.upperBound, layout.count)
        for (a, b) in zip(all, all.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
    }

    /// Each scale's path (shared modules + its branch) against central differences,
    /// with the same sampling and tolerance as EDSR's whole-network check.
    func testEachScalePathGradientMatchesFiniteDifferences() {
        let model = MDSR(MDSRConfig(scales: [2, 3, 4], blocks: 2, features: 4, resScale: 0.5), seed: 5, kernels: kernels)
        let (n, h, w) = (2, 5, 4)
        // Pixels near the DIV2K mean keep activations O(1): few ReLU kinks within ±eps.
        let input = randomArray(n * 3 * h * w, seed: 1, in: 90...130)
        for scale in [2, 3, 4] {
            let probe = randomArray(n * 3 * h * w * scale * scale, seed: UInt64(scale))
            model.zeroGradients()
            _ = model.forward(input, n: n, h: h, w: w, scale: scale)
            model.backward(probe)
            let views = model.convLayers(scale: scale).flatMap { [$0.weight, $0.bias] }
            let results = tensorGradientAgreement(params: model.params, analytic: Array(model.grads.buffer), views: views) {
                weightedSum(model.forward(input, n: n, h: h, w: w, scale: scale), probe)
            }
            XCTAssertEqual(results.count, 2 * (1 + 2 * 2 + 2 * 2 + 1 + (scale == 4 ? 2 : 1) + 1))
            for r in results {
                XCTAssertGreaterThanOrEqual(r.agreeing, 0.8,
                                            "×\(scale) \(r.name): errors \(r.errors.map { String(format: "%.4f", $0) })")
            }
        }
    }

    /// Backward at scale s writes every tensor of the shared modules and of branch s,
    /// and leaves the other branches' gradients exactly zero.
    func testBackwardTouchesOnlySharedModulesAndItsBranch() {
        let model = MDSR(MDSRConfig(scales: [2, 3, 4], blocks: 2, features: 4), seed: 1, kernels: kernels)
        let (n, h, w) = (1, 4, 5)
        let input = randomArray(n * 3 * h * w, seed: 3, in: 0...255)
        for scale in [2, 3, 4] {
            model.zeroGradients()
            _ = model.forward(input, n: n, h: h, w: w, scale: scale)
            model.backward(randomArray(n * 3 * h * w * scale * scale, seed: 4))
            let active = model.sharedRanges + model.branchRanges(scale: scale)
            for v in model.layout.views {
                let g = UnsafeBufferPointer(start: model.grads[v], count: v.count)
                if active.contains(where: { $0.contains(v.offset) }) {
                    XCTAssertTrue(g.contains { $0 != 0 }, "×\(scale): \(v.name) has no gradient")
                } else {
                    XCTAssertTrue(g.allSatisfy { $0 == 0 }, "×\(scale): \(v.name) of another branch got a gradient")
                }
            }
        }
    }

    /// Inference (recycled buffers) computes the training forward's output at every
    /// scale, also when scales alternate over the shared activation buffers.
    /// As for EDSR: bitwise for a batch, to float rounding for one image (sliced tail);
    /// every scale's path, in any order, gives its own output.
    func testInferenceForwardEqualsTrainingForward() {
        let model = MDSR(MDSRConfig(scales: [4, 2, 3], blocks: 3, features: 8), seed: 3, kernels: kernels)
        let (h, w) = (6, 7)
        for n in [2, 1] {
            let input = randomArray(n * 3 * h * w, seed: 4, in: 0...255)
            func run(_ scale: Int, training: Bool) -> [Float] {
                let out = model.forward(input, n: n, h: h, w: w, scale: scale, training: training)
                return Array(UnsafeBufferPointer(start: out, count: n * 3 * h * w * scale * scale))
            }
            let train = [4, 2, 3].map { run($0, training: true) }
            for (scale, expected) in zip([4, 2, 3], train) {
                let infer = run(scale, training: false)
                if n > 1 {
                    XCTAssertEqual(infer, expected, "×\(scale) batch")
                } else {
                    XCTAssertLessThan(infer.withUnsafeBufferPointer { relativeMaxError($0, expected) }, 1e-5, "×\(scale) one image")
                }
            }
            XCTAssertEqual(run(4, training: true), train[0])
            XCTAssertNotEqual(Array(train[1].prefix(100)), Array(train[0].prefix(100)))
        }
    }
}
