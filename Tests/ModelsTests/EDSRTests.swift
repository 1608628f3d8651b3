import Kernels
@testable import Models
import TestSupport
import XCTest

final class EDSRTests: XCTestCase {
    /// Two workers, so chunked loops and per-worker partial sums are exercised.
    let kernels = KernelContext(KernelSettings(threads: 2))

    /// The paper's and EDSR-PyTorch's parameter totals, scales ×2/×3/×4.
    func testParameterCounts() {
        let expected: [(EDSRConfig, Int)] = [
            (EDSRConfig(scale: 2, blocks: 16, features: 64, resScale: 1), 1_369_859),
            (EDSRConfig(scale: 3, blocks: 16, features: 64, resScale: 1), 1_554_499),
            (EDSRConfig(scale: 4, blocks: 16, features: 64, resScale: 1), 1_517_571),
            (EDSRConfig(scale: 2, blocks: 32, features: 256, resScale: 0.1), 40_729_603),
            (EDSRConfig(scale: 3, blocks: 32, features: 256, resScale: 0.1), 43_680_003),
            (EDSRConfig(scale: 4, blocks: 32, features: 256, resScale: 0.1), 43_089_923),
        ]
        for (config, count) in expected {
            XCTAssertEqual(EDSR(config, seed: 0, kernels: kernels).layout.count, count, "\(config)")
        }
    }

    func testLayoutIsContiguousWithPyTorchNames() {
        let layout = EDSR(EDSRConfig(scale: 4, blocks: 2, features: 8, resScale: 1), seed: 0, kernels: kernels).layout
        var offset = 0
        for v in layout.views {
            XCTAssertEqual(v.offset, offset, v.name)
            offset += v.count
        }
        XCTAssertEqual(offset, layout.count)
        XCTAssertEqual(layout.views.map(\.name), [
            "head.0.weight", "head.0.bias",
            "body.0.body.0.weight", "body.0.body.0.bias", "body.0.body.2.weight", "body.0.body.2.bias",
            "body.1.body.0.weight", "body.1.body.0.bias", "body.1.body.2.weight", "body.1.body.2.bias",
            "body.2.weight", "body.2.bias",
            "tail.0.0.weight", "tail.0.0.bias", "tail.0.2.weight", "tail.0.2.bias",
            "tail.1.weight", "tail.1.bias",
        ])
        XCTAssertEqual(layout.view(named: "tail.0.2.weight")?.shape, [32, 8, 3, 3])
    }

    /// PyTorch's default conv init: uniform within ±1/√fan_in, seeded and repeatable.
    func testInitialisationBoundsAndSeed() {
        let config = EDSRConfig(scale: 2, blocks: 1, features: 8, resScale: 1)
        let a = EDSR(config, seed: 7, kernels: kernels), b = EDSR(config, seed: 7, kernels: kernels), c = EDSR(config, seed: 8, kernels: kernels)
        XCTAssertEqual(Array(a.params.buffer), Array(b.params.buffer))
        XCTAssertNotEqual(Array(a.params.buffer), Array(c.params.buffer))
        for v in a.layout.views {
            let fanIn = v.name.hasPrefix("head") ? 27 : 72
            let bound = 1 / Float(fanIn).squareRoot()
            let values = UnsafeBufferPointer(start: a.params[v], count: v.count)
            XCTAssertLessThanOrEqual(values.map(abs).max()!, bound, v.name)
            XCTAssertGreaterThan(values.map(abs).max()!, bound * 0.5, v.name)
        }
    }

    /// The whole network's parameter gradient against central differences, each scale:
    /// per tensor 80 % of the sampled coordinates must agree to 5 % of the tensor's
    /// gradient scale at one of three step sizes (`tensorGradientAgreement` explains
    /// why ReLU kinks and float32 rounding rule out a strict bound).
    func testWholeNetworkGradientMatchesFiniteDifferences() {
        for scale in [2, 3, 4] {
            let model = EDSR(EDSRConfig(scale: scale, blocks: 2, features: 4, resScale: 0.5), seed: UInt64(scale), kernels: kernels)
            let (n, h, w) = (2, 5, 4)
            // Pixels near the DIV2K mean keep activations O(1), so few ReLU inputs sit
            // within a ±eps step of zero.
            let input = randomArray(n * 3 * h * w, seed: 1, in: 90...130)
            let probe = randomArray(n * 3 * h * w * scale * scale, seed: 2)
            model.zeroGradients()
            _ = model.forward(input, n: n, h: h, w: w)
            model.backward(probe)
            let results = tensorGradientAgreement(params: model.params, analytic: Array(model.grads.buffer),
                                                  views: model.layout.views) {
                weightedSum(model.forward(input, n: n, h: h, w: w), probe)
            }
            for r in results {
                XCTAssertGreaterThanOrEqual(r.agreeing, 0.8,
                                            "×\(scale) \(r.name): errors \(r.errors.map { String(format: "%.4f", $0) })")
            }
        }
    }

    /// Inference (recycled buffers, upsampler stages shuffled in place) computes the same
    /// output as a training forward, with one and two upsampler stages.
    /// Inference's recycled buffers give training's output. A batch runs the upsampler's
    /// last stage and the tail whole, so bitwise; one image runs them over channel slices
    /// (`Upsampler.inferenceSlices`), which sums the tail in another order: equal up to
    /// float rounding, far below one 8-bit level.
    func testInferenceForwardEqualsTrainingForward() {
        for scale in [2, 3, 4] {
            XCTAssertGreaterThan(Upsampler.inferenceSlices(scale: scale, features: 8, n: 1), 1, "×\(scale) is sliced")
            let model = EDSR(EDSRConfig(scale: scale, blocks: 3, features: 8, resScale: 1), seed: 3, kernels: kernels)
            for n in [2, 1] {
                let input = randomArray(n * 3 * 6 * 7, seed: 4, in: 0...255)
                let count = n * 3 * 6 * 7 * scale * scale
                let train = Array(UnsafeBufferPointer(start: model.forward(input, n: n, h: 6, w: 7), count: count))
                let infer = UnsafeBufferPointer(start: model.forward(input, n: n, h: 6, w: 7, training: false), count: count)
                if n > 1 {
                    XCTAssertEqual(Array(infer), train, "×\(scale) batch")
                } else {
                    XCTAssertLessThan(relativeMaxError(infer, train), 1e-5, "×\(scale) one image")
                }
            }
        }
    }

    /// Releasing activations and scratch between two training steps (as validation does)
    /// changes nothing: the next forward and backward rebuild them and give the same bits.
    func testReleasedWorkingMemoryIsRebuiltTheSame() {
        let model = EDSR(EDSRConfig(scale: 2, blocks: 2, features: 16, resScale: 1), seed: 5, kernels: kernels)
        let input = randomArray(2 * 3 * 10 * 9, seed: 6, in: 0...255), dOutput = randomArray(2 * 3 * 20 * 18, seed: 7)
        func step() -> ([Float], [Float]) {
            model.zeroGradients()
            let out = Array(UnsafeBufferPointer(start: model.forward(input, n: 2, h: 10, w: 9), count: dOutput.count))
            model.backward(dOutput)
            return (out, Array(UnsafeBufferPointer(start: model.grads.base, count: model.layout.count)))
        }
        let first = step()
        model.releaseActivations()
        kernels.releaseScratch()
        let again = step()
        XCTAssertEqual(again.0, first.0)
        XCTAssertEqual(again.1, first.1)
        XCTAssertTrue(again.1.contains { $0 != 0 })
    }
}
