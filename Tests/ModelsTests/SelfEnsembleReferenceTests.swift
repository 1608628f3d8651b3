import Kernels
import Models
import TestSupport
import XCTest

/// The ×8 self-ensemble against EDSR-PyTorch's `forward_x8`
/// (`tools/reference/self_ensemble_reference.py`, `Fixtures/edsr_tiny_x8.json`).
final class SelfEnsembleReferenceTests: XCTestCase {
    struct Fixture: Decodable {
        struct Config: Decodable { let scale, blocks, features: Int; let res_scale: Float }
        let config: Config
        let input, output, plain: FixtureTensor
        let params: [String: FixtureTensor]
    }

    /// Two workers, so chunked loops and per-worker partial sums are exercised.
    let kernels = KernelContext(KernelSettings(threads: 2))

    /// Same tolerance as the plain forward (1e-5 relative): the 8 passes are averaged in
    /// float32 on both sides, and a wrong inverse transform is off by tens of grey levels.
    func testMatchesForwardX8() throws {
        let f = try loadFixture(Fixture.self, named: "edsr_tiny_x8.json")
        let model = EDSR(EDSRConfig(scale: f.config.scale, blocks: f.config.blocks, features: f.config.features,
                                    resScale: f.config.res_scale), seed: 0, kernels: kernels)
        for v in model.layout.views {
            let p = try XCTUnwrap(f.params[v.name], v.name)
            XCTAssertEqual(p.shape, v.shape, v.name)
            model.params[v].update(from: p.floats, count: v.count)
        }
        let (h, w) = (f.input.shape[2], f.input.shape[3])
        let up = Upscaler(model, scale: f.config.scale)
        let plain = up.upscale(f.input.floats, h: h, w: w)
        let ensemble = up.upscale(f.input.floats, h: h, w: w, selfEnsemble: true)
        plain.withUnsafeBufferPointer { XCTAssertLessThan(relativeMaxError($0, f.plain.floats), 1e-5) }
        ensemble.withUnsafeBufferPointer { XCTAssertLessThan(relativeMaxError($0, f.output.floats), 1e-5) }
        // Tiled self-ensemble computes the same (the overlap covers the receptive field).
        let tiled = up.upscale(f.input.floats, h: h, w: w, tile: 3, overlap: 8, selfEnsemble: true)
        tiled.withUnsafeBufferPointer { XCTAssertLessThan(relativeMaxError($0, f.output.floats), 1e-5) }
    }
}
