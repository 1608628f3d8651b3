import Data
import Foundation
import XCTest

final class PatchSamplerTests: XCTestCase {
    func pairs(scale: Int) -> [ImagePair] {
        (0..<4).map { i in
            let hr = SyntheticImages.image(index: i, size: 24 * scale + 8 * i, seed: 2)
            let lr = Bicubic.downscale(hr, by: scale)
            return ImagePair(name: "\(i)", hr: hr.cropped(width: lr.width * scale, height: lr.height * scale), lr: lr, scale: scale)
        }
    }

    func batch(_ sampler: PatchSampler, step: Int, samples: Range<Int>) -> (lr: [Float], hr: [Float]) {
        var lr = [Float](repeating: -1, count: samples.count * sampler.lrCount)
        var hr = [Float](repeating: -1, count: samples.count * sampler.hrCount)
        lr.withUnsafeMutableBufferPointer { l in
            hr.withUnsafeMutableBufferPointer { h in sampler.fill(step: step, samples: samples, lr: l.baseAddress!, hr: h.baseAddress!) }
        }
        return (lr, hr)
    }

    func testDeterministicAndSplitInvariant() {
        let sampler = PatchSampler(pairs: pairs(scale: 2), patch: 12, seed: 7)
        let whole = batch(sampler, step: 5, samples: 0..<16)
        XCTAssertEqual(batch(sampler, step: 5, samples: 0..<16).lr, whole.lr, "same (seed, step) gives the same batch")
        // Any split of the global batch across ranks gives the same samples.
        for cuts in [[8], [3, 11], [1, 2, 15]] {
            let bounds = [0] + cuts + [16]
            let parts = zip(bounds, bounds.dropFirst()).map { batch(sampler, step: 5, samples: $0..<$1) }
            XCTAssertEqual(parts.flatMap(\.lr), whole.lr, "split at \(cuts)")
            XCTAssertEqual(parts.flatMap(\.hr), whole.hr, "split at \(cuts)")
        }
        XCTAssertNotEqual(batch(sampler, step: 6, samples: 0..<16).lr, whole.lr, "steps differ")
        XCTAssertNotEqual(batch(PatchSampler(pairs: pairs(scale: 2), patch: 12, seed: 8), step: 5, samples: 0..<16).lr, whole.lr, "seeds differ")
        XCTAssertTrue(whole.lr.allSatisfy { (0...255).contains($0) } && whole.hr.allSatisfy { (0...255).contains($0) })
    }

    /// LR and HR stay aligned under each of the 8 transforms: with an HR made of
    /// constant s×s blocks, the HR patch subsampled at block corners must equal the
    /// LR patch — for every sample, whatever its flips and transposition.
    func testLRAndHRAlignedUnderEveryTransform() {
        for s in 2...4 {
            let lr = SyntheticImages.image(index: s, size: 30, seed: 3)
            var hr = RGBImage(width: 30 * s, height: 30 * s)
            for y in 0..<hr.height { for x in 0..<hr.width { for c in 0..<3 { hr[x, y, c] = lr[x / s, y / s, c] } } }
            let sampler = PatchSampler(pairs: [ImagePair(name: "blocks", hr: hr, lr: lr, scale: s)], patch: 10, seed: 1)
            let n = 64, p = 10, hp = p * s
            let b = batch(sampler, step: 0, samples: 0..<n)
            var seen = Set<[Float]>()
            for k in 0..<n {
                for c in 0..<3 {
                    for y in 0..<p {
                        for x in 0..<p {
                            // The block of LR pixel (x, y) after the transform covers HR
                            // pixels x·s … x·s + s−1: all equal to the LR value.
                            let v = b.lr[k * sampler.lrCount + (c * p + y) * p + x]
                            for dy in 0..<s { for dx in 0..<s {
                                XCTAssertEqual(b.hr[k * sampler.hrCount + (c * hp + y * s + dy) * hp + x * s + dx], v)
                            } }
                        }
                    }
                }
                seen.insert(Array(b.lr[(k * sampler.lrCount)..<(k * sampler.lrCount + 4)]))
            }
            XCTAssertGreaterThan(seen.count, 8, "samples vary")
        }
    }

    /// Each transform is the dihedral map it claims to be: the 8 views of one
    /// fixed window are exactly the 8 flips/rotations of the plain copy.
    func testTransformsAreTheEightDihedralMaps() {
        let img = SyntheticImages.image(index: 0, size: 16, seed: 4)
        let pair = ImagePair(name: "a", hr: img, lr: img, scale: 1)
        // patch = image size: every sample takes the whole image, only the transform varies.
        let sampler = PatchSampler(pairs: [pair], patch: 16, seed: 1)
        let b = batch(sampler, step: 0, samples: 0..<64)
        let views = Set((0..<64).map { Array(b.lr[($0 * sampler.lrCount)..<(($0 + 1) * sampler.lrCount)]) })
        func plane(_ f: (Int, Int) -> (Int, Int)) -> [Float] {
            (0..<3).flatMap { c in (0..<16).flatMap { y in (0..<16).map { x in let (sx, sy) = f(x, y); return Float(img[sx, sy, c]) } } }
        }
        let expected: Set<[Float]> = [
            plane { ($0, $1) }, plane { (15 - $0, $1) }, plane { ($0, 15 - $1) }, plane { (15 - $0, 15 - $1) },
            plane { ($1, $0) }, plane { (15 - $1, $0) }, plane { ($1, 15 - $0) }, plane { (15 - $1, 15 - $0) },
        ]
        XCTAssertEqual(views, expected)
    }

    /// One core must fill far more patches than training consumes (the benchmark
    /// configs train well under 100 patches/s on 2 cores).
    func testLoaderSpeed() {
        let sampler = PatchSampler(pairs: pairs(scale: 4), patch: 24, seed: 1)
        let rate = LoaderBenchmark.patchesPerSecond(sampler, batch: 16, seconds: 0.3)
        print(String(format: "loader: %.0f patches/s (LR 24, ×4) on one core", rate))
        XCTAssertGreaterThan(rate, 2000)
    }
}
