import Kernels
import Models
import TestSupport
import XCTest

/// EDSR against PyTorch: `tools/reference/edsr_reference.py` builds EDSR exactly as
/// EDSR-PyTorch does, runs one L1 training step on a tiny network and dumps weights,
/// input, output and every weight gradient (`Fixtures/edsr_tiny_x{2,3,4}.json`).
final class EDSRReferenceTests: XCTestCase {
    struct Fixture: Decodable {
        struct Config: Decodable { let scale, blocks, features: Int; let res_scale: Float }
        let config: Config
        let input, target, output: FixtureTensor
        let loss: Double
        let params, grads: [String: FixtureTensor]
    }

    /// Forward tolerance: outputs are ~100 with float32 ulps of ~1e-5,
    /// so 1e-5 relative leaves room for summation order only, not for a wrong layer.
    static let outputTolerance = 1e-5
    /// Gradients are sums over every pixel of the batch (thousands of terms of both
    /// signs), added in a different order by sgemm than by PyTorch's conv. Each is held
    /// to 1e-5 of its tensor's largest entry: measured errors are at most 1.2e-6
    /// (float32 reassociation), while a wrong index, scale or missing term is O(1).
    static let gradientTolerance = 1e-5

    func testScale2() throws { try check(scale: 2) }
    func testScale3() throws { try check(scale: 3) }
    func testScale4() throws { try check(scale: 4) }

    private func check(scale: Int) throws {
        let f = try loadFixture(Fixture.self, named: "edsr_tiny_x\(scale).json")
        XCTAssertEqual(f.config.scale, scale)
        let model = EDSR(EDSRConfig(scale: scale, blocks: f.config.blocks, features: f.config.features,
                                    resScale: f.config.res_scale), seed: 0)

        // Same tensors, names and shapes as PyTorch's state_dict (minus the mean shifts).
        XCTAssertEqual(Set(model.layout.views.map(\.name)), Set(f.params.keys))
        for v in model.layout.views {
            let p = try XCTUnwrap(f.params[v.name], "fixture lacks \(v.name)")
            XCTAssertEqual(v.shape, p.shape, v.name)
            (model.params.base + v.offset).update(from: p.floats, count: v.count)
        }

        let (n, h, w) = (f.input.shape[0], f.input.shape[2], f.input.shape[3])
        let outCount = f.output.data.count
        XCTAssertEqual(f.output.shape, [n, 3, h * scale, w * scale])
        let out = model.forward(f.input.floats, n: n, h: h, w: w)
        let outError = relativeMaxError(UnsafeBufferPointer(start: out, count: outCount), f.output.floats)
        XCTAssertLessThanOrEqual(outError, Self.outputTolerance, "x\(scale) output")

        let target = f.target.floats
        // PyTorch sums the loss in float32, srdist in Double: agree to float32 precision.
        let loss = l1LossForward(prediction: out, target: target, count: outCount)
        XCTAssertEqual(loss, f.loss, accuracy: 1e-5 * f.loss, "x\(scale) loss")
        var dOut = [Float](repeating: 0, count: outCount)
        l1LossBackward(dPrediction: &dOut, prediction: out, target: target, count: outCount, weight: 1 / Float(outCount))
        model.zeroGradients()
        model.backward(dOut)

        for v in model.layout.views {
            let g = try XCTUnwrap(f.grads[v.name], "fixture lacks gradient of \(v.name)")
            let err = relativeMaxError(UnsafeBufferPointer(start: model.grads[v], count: v.count), g.floats)
            XCTAssertLessThanOrEqual(err, Self.gradientTolerance, "x\(scale) gradient of \(v.name)")
        }
    }
}
