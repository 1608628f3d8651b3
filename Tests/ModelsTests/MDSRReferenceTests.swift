import Foundation
import Kernels
import Models
import TestSupport
import XCTest

/// MDSR against EDSR-PyTorch's mdsr.py (tools/reference/mdsr_reference.py): a B2 F8
/// model with scales [2, 3, 4], the fixture's weights loaded by name, one batch
/// [2, 3, 7, 6] per scale.
final class MDSRReferenceTests: XCTestCase {
    /// Two workers, so chunked loops and per-worker partial sums are exercised.
    let kernels = KernelContext(KernelSettings(threads: 2))

    struct Fixture: Decodable {
        struct Config: Decodable { let blocks, features: Int; let scales: [Int]; let res_scale: Float }
        struct Scale: Decodable { let target, output: ReferenceTensor; let loss: Double; let grads: [String: ReferenceTensor] }
        let config: Config
        let order: [String]
        let input: ReferenceTensor
        let params: [String: ReferenceTensor]
        let scales: [String: Scale]
    }

    static let fixture: Fixture = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mdsr_tiny.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    /// The fixture's model with PyTorch's weights; its layout must match the state_dict.
    private func loadModel() -> MDSR {
        let f = Self.fixture
        let model = MDSR(MDSRConfig(scales: f.config.scales, blocks: f.config.blocks, features: f.config.features,
                                    resScale: f.config.res_scale), seed: 0, kernels: kernels)
        XCTAssertEqual(model.layout.views.map(\.name), f.order)
        for v in model.layout.views {
            let t = f.params[v.name]!
            XCTAssertEqual(v.shape, t.shape, v.name)
            t.values.withUnsafeBufferPointer { model.params[v].update(from: $0.baseAddress!, count: v.count) }
        }
        return model
    }

    /// Forward to 1e-5 relative to each |value| (floored at 1), element by element
    /// (measured: at most 4.2e-7; float32 convolutions summed in another order than
    /// PyTorch's); the loss to the same relative tolerance.
    func testForwardAndLossMatchPyTorch() {
        let model = loadModel(), f = Self.fixture
        let (n, h, w) = (f.input.shape[0], f.input.shape[2], f.input.shape[3])
        for scale in f.config.scales {
            let ref = f.scales["\(scale)"]!
            XCTAssertEqual(ref.output.shape, [n, 3, h * scale, w * scale])
            let out = model.forward(f.input.values, n: n, h: h, w: w, scale: scale)
            var worst: Float = 0
            for (i, expected) in ref.output.values.enumerated() {
                worst = max(worst, abs(out[i] - expected) / max(abs(expected), 1))
            }
            XCTAssertLessThanOrEqual(worst, 1e-5, "×\(scale) output")
            let loss = l1LossForward(prediction: out, target: ref.target.values, count: ref.target.values.count)
            XCTAssertEqual(loss, ref.loss, accuracy: 1e-5 * ref.loss, "×\(scale) loss")
        }
    }

    /// Every parameter gradient of the L1 loss, per tensor to 2e-5 of the tensor's
    /// largest gradient (measured: at most 1.8e-6): float32 sums over up to 2·28·24
    /// positions in a different order than PyTorch's, so per-element relative error is
    /// meaningless for entries that cancel to near zero, while a wrong term is off by
    /// O(1e-3…1) of the scale.
    /// Tensors without a PyTorch gradient (other scales' branches) must stay zero.
    func testGradientsMatchPyTorch() {
        let model = loadModel(), f = Self.fixture
        let (n, h, w) = (f.input.shape[0], f.input.shape[2], f.input.shape[3])
        for scale in f.config.scales {
            let ref = f.scales["\(scale)"]!
            let count = ref.target.values.count
            let out = model.forward(f.input.values, n: n, h: h, w: w, scale: scale)
            var dOut = [Float](repeating: 0, count: count)
            l1LossBackward(dPrediction: &dOut, prediction: out, target: ref.target.values, count: count, weight: 1 / Float(count))
            model.zeroGradients()
            model.backward(dOut)
            for v in model.layout.views {
                let got = UnsafeBufferPointer(start: model.grads[v], count: v.count)
                guard let expected = ref.grads[v.name]?.values else {
                    XCTAssertTrue(got.allSatisfy { $0 == 0 }, "×\(scale) \(v.name) should have no gradient")
                    continue
                }
                let scaleOfTensor = expected.map(abs).max()!
                let worst = zip(got, expected).map { abs($0 - $1) }.max()!
                XCTAssertLessThanOrEqual(worst, 2e-5 * scaleOfTensor, "×\(scale) \(v.name)")
            }
            XCTAssertEqual(ref.grads.count, model.convLayers(scale: scale).count * 2)
        }
    }
}
