import Kernels
import Models
import TestSupport
import XCTest

/// Whole-network parameter gradients with bf16 convolutions (the reference engine)
/// against the same network's in fp32, within bf16's rounding bounds.
final class BF16GradientTests: XCTestCase {
    let fp32 = KernelContext(KernelSettings(threads: 2, algorithm: .im2col))
    let bf16 = KernelContext(KernelSettings(threads: 2, bf16: .reference))

    /// One forward and backward of `model` on fixed data; returns the gradient arena.
    func gradients(_ model: SuperResolutionNetwork, scale: Int) -> [Float] {
        let (n, h, w) = (2, 6, 5)
        let input = randomArray(n * 3 * h * w, seed: 1, in: 0...255)
        let probe = randomArray(n * 3 * h * w * scale * scale, seed: 2)
        model.zeroGradients()
        _ = model.forward(input, n: n, h: h, w: w, scale: scale, training: true)
        model.backward(probe) { _ in }
        return Array(model.grads.buffer)
    }

    /// ‖bf16 − fp32‖ / ‖fp32‖ over the gradient of the tensors `views` (the ones the
    /// scale trains). Rounding an operand to bf16 errs by at most 2⁻⁸ relative (8
    /// significant bits), so a conv's output (both operands rounded) by at most ~2·2⁻⁸ to
    /// first order, and errors add along the path: forward through `convs` layers, then
    /// backward-data back through them and backward-weights (rounded dOut and input) at
    /// each. The bound is that worst case, 2·2⁻⁸ per conv on each of the two passes
    /// (measured: 0.004–0.019 of bounds 0.11–0.19). It must also exceed 2⁻¹⁴:
    /// bit-identical gradients would mean fp32 ran.
    ///
    /// Per tensor only the direction is asserted (cosine ≥ 0.9): a bias gradient sums
    /// dOut over every pixel, and where those terms cancel, its bf16 noise is relative
    /// to the terms, not to the small sum (measured up to 0.32 of the norm, a cosine of
    /// about 0.95). A wrong or misplaced gradient has a cosine near 0 or negative.
    func assertWithinBF16Bounds(_ a: [Float], _ b: [Float], views: [TensorView], convs: Int, _ what: String) {
        func dot(_ r: [Int], _ x: [Float], _ y: [Float]) -> Double { r.reduce(0.0) { $0 + Double(x[$1]) * Double(y[$1]) } }
        let difference = zip(a, b).map { $0 - $1 }
        let all = views.flatMap { Array($0.range) }
        let relative = (dot(all, difference, difference) / dot(all, b, b)).squareRoot()
        XCTAssertLessThan(relative, Double(convs) * 2 * 2 * 0x1p-8, what)
        XCTAssertGreaterThan(relative, 0x1p-14, "\(what): bf16 gradients equal fp32's, bf16 did not run")
        for v in views {
            let r = Array(v.range)
            XCTAssertGreaterThan(dot(r, a, b) / (dot(r, a, a) * dot(r, b, b)).squareRoot(), 0.9, "\(what) \(v.name)")
        }
    }

    func testEDSRGradientsMatchFP32WithinBF16Bounds() {
        for scale in [2, 3, 4] {
            let config = EDSRConfig(scale: scale, blocks: 2, features: 8, resScale: 0.5)
            let (a, b) = (EDSR(config, seed: UInt64(scale), kernels: bf16), EDSR(config, seed: UInt64(scale), kernels: fp32))
            // head, 2 × 2 block convs, the body's last, the upsampler's 1 or 2, the tail.
            assertWithinBF16Bounds(gradients(a, scale: scale), gradients(b, scale: scale), views: b.layout.views,
                                   convs: 5 + (scale == 4 ? 2 : 1) + 1, "EDSR ×\(scale)")
        }
    }

    func testMDSRGradientsMatchFP32WithinBF16Bounds() {
        let config = MDSRConfig(scales: [2, 3, 4], blocks: 2, features: 8, resScale: 0.5)
        let (a, b) = (MDSR(config, seed: 5, kernels: bf16), MDSR(config, seed: 5, kernels: fp32))
        for scale in [2, 3, 4] {
            let views = b.convLayers(scale: scale).flatMap { [$0.weight, $0.bias] }
            // EDSR's path plus the branch's two 5×5 pre-processing blocks.
            assertWithinBF16Bounds(gradients(a, scale: scale), gradients(b, scale: scale), views: views,
                                   convs: 5 + 4 + (scale == 4 ? 2 : 1) + 1, "MDSR ×\(scale)")
        }
    }
}
