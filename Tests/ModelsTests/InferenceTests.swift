import Kernels
import Models
import TestSupport
import XCTest

final class InferenceTests: XCTestCase {

    let model = EDSR(EDSRConfig(scale: 2, blocks: 2, features: 8, resScale: 1), seed: 5, kernels: KernelContext(KernelSettings(threads: 2)))

    /// The tiny model's receptive-field radius is 1 (head) + 4 (blocks) + 1 (body) + 1
    /// (upsampler) + 1 (tail, at HR: rounds up to 1 LR pixel) = 8 LR pixels, so 9
    /// pixels of overlap make every pasted core exact up to float summation order.
    func testTiledEqualsWholeImage() {
        let (h, w) = (29, 37)
        let image = randomArray(3 * h * w, seed: 1, in: 0...255)
        let up = Upscaler(model, scale: 2)
        let whole = up.upscale(image, h: h, w: w)
        for tile in [8, 12, 30] {
            let tiled = up.upscale(image, h: h, w: w, tile: tile, overlap: 9)
            let err = zip(whole, tiled).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(err, 1e-3, "tile \(tile)")  // outputs are ~0…255: 1e-3 is float noise
        }
        // Too little overlap is visibly different: the test can fail.
        let short = up.upscale(image, h: h, w: w, tile: 8, overlap: 1)
        XCTAssertGreaterThan(zip(whole, short).map { abs($0 - $1) }.max()!, 1e-2)
    }

    /// `receptiveRadius` is where an output pixel stops depending on the input: with
    /// im2col (each output sums exactly its window's inputs, so a pixel out of reach
    /// changes nothing, not even a bit) a change `radius + 1` LR pixels away leaves the
    /// output pixel's bits alone and one `radius − 1` away moves it.
    func testReceptiveRadiusBoundsTheInfluenceOfAnInputPixel() {
        let exact = KernelContext(KernelSettings(threads: 1, algorithm: .im2col))
        let networks: [(SuperResolutionNetwork, Int, Int)] = [
            (EDSR(EDSRConfig(scale: 2, blocks: 2, features: 8, resScale: 1), seed: 5, kernels: exact), 2, 8),
            (MDSR(MDSRConfig(scales: [3, 4], blocks: 1, features: 8), seed: 5, kernels: exact), 4, 14),
        ]
        for (network, scale, expected) in networks {
            let radius = network.receptiveRadius(scale: scale)
            XCTAssertEqual(radius, expected, "\(network.arch)")
            let side = 2 * radius + 5, centre = side / 2
            let image = randomArray(3 * side * side, seed: 3, in: 0...255)
            let up = Upscaler(network, scale: scale)
            // The HR pixels of LR pixel (centre, centre), green channel.
            func centreOutput(_ x: [Float]) -> [Float] {
                let out = up.upscale(x, h: side, w: side), hw = side * scale
                return (0..<scale).flatMap { dy in (0..<scale).map { dx in out[hw * hw + (centre * scale + dy) * hw + centre * scale + dx] } }
            }
            let reference = centreOutput(image)
            for (distance, changes) in [(radius + 1, false), (radius - 1, true)] {
                var moved = image
                moved[side * side + centre * side + centre + distance] += 100
                XCTAssertEqual(centreOutput(moved) != reference, changes, "\(network.arch): an input \(distance) pixels away")
            }
        }
    }

    /// Every transform is undone by its inverse, and the 8 are distinct.
    func testSelfEnsembleOfAnEquivariantModelIsTheModel() {
        // A model that just repeats pixels commutes with flips and transposes, so its
        // self-ensemble must equal itself — a wrong inverse transform breaks that.
        let (h, w) = (3, 5)
        let image = (0..<(3 * h * w)).map(Float.init)
        var buffer: [Float] = []
        let nearest = Upscaler(scale: 2) { x, h, w in
            buffer = (0..<(3 * 4 * h * w)).map { i in
                let (c, rest) = (i / (4 * h * w), i % (4 * h * w))
                return x[(c * h + rest / (2 * w) / 2) * w + (rest % (2 * w)) / 2]
            }
            return buffer.withUnsafeBufferPointer { UnsafePointer($0.baseAddress!) }
        }
        let plain = nearest.upscale(image, h: h, w: w)
        XCTAssertEqual(nearest.upscale(image, h: h, w: w, selfEnsemble: true), plain)
        XCTAssertEqual(nearest.upscale(image, h: h, w: w, tile: 2, overlap: 0, selfEnsemble: true), plain)
    }

    func testSelfEnsembleAveragesTheEightTransforms() {
        let (h, w) = (6, 7)
        let image = randomArray(3 * h * w, seed: 2, in: 0...255)
        let up = Upscaler(model, scale: 2)
        let ensemble = up.upscale(image, h: h, w: w, selfEnsemble: true)
        let plain = up.upscale(image, h: h, w: w)
        // A random-weight CNN is not flip-equivariant: the ensemble differs from one pass
        // but stays close (it is an average of outputs of the same scale).
        let diff = zip(ensemble, plain).map { abs($0 - $1) }
        XCTAssertGreaterThan(diff.max()!, 1e-3)
        XCTAssertLessThan(diff.reduce(0, +) / Float(diff.count), 50)
    }
}
