import Data
import Foundation
import XCTest

final class PrefetcherTests: XCTestCase {
    func testBatchesEqualDirectFillsInOrderAndOutOfOrder() {
        let imgs = (0..<3).map { SyntheticImages.image(index: $0, size: 48, seed: 6) }
        let pairs = imgs.map { ImagePair(name: "", hr: $0, lr: Bicubic.downscale($0, by: 2), scale: 2) }
        let sampler = PatchSampler(pairs: pairs, patch: 8, seed: 3)
        let samples = 4..<10
        let prefetcher = Prefetcher(sampler: sampler, samples: samples)
        var lr = [Float](repeating: 0, count: samples.count * sampler.lrCount)
        var hr = [Float](repeating: 0, count: samples.count * sampler.hrCount)
        for step in [0, 1, 2, 3, 7, 8, 2] {
            let batch = prefetcher.next(step: step)
            lr.withUnsafeMutableBufferPointer { l in
                hr.withUnsafeMutableBufferPointer { h in sampler.fill(step: step, samples: samples, lr: l.baseAddress!, hr: h.baseAddress!) }
            }
            XCTAssertEqual(Array(UnsafeBufferPointer(start: batch.lr, count: lr.count)), lr, "step \(step)")
            XCTAssertEqual(Array(UnsafeBufferPointer(start: batch.hr, count: hr.count)), hr, "step \(step)")
            XCTAssertGreaterThanOrEqual(batch.waitSeconds, 0)
        }
    }

    /// With a step slower than the loader, the prefetched batch is ready: the
    /// wait is a small fraction of the step.
    func testWaitIsSmallWhenTheStepIsSlower() {
        let img = SyntheticImages.image(index: 0, size: 96, seed: 6)
        let sampler = PatchSampler(pairs: [ImagePair(name: "", hr: img, lr: Bicubic.downscale(img, by: 2), scale: 2)], patch: 24, seed: 3)
        let prefetcher = Prefetcher(sampler: sampler, samples: 0..<16)
        var waited = 0.0
        for step in 0..<6 {
            let batch = prefetcher.next(step: step)
            if step > 0 { waited += batch.waitSeconds }
            Thread.sleep(forTimeInterval: 0.05)  // the "training step"
        }
        XCTAssertLessThan(waited / (5 * 0.05), 0.02)
    }
}
