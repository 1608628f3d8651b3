import Foundation
import Kernels
import Metrics
import TestSupport
import XCTest

/// PSNR and SSIM against `tools/reference/metrics_reference.py`, an independent numpy
/// implementation of BasicSR's metrics (2-D window where srdist filters separably).
final class MetricsTests: XCTestCase {
    struct Reference: Decodable {
        struct Expected: Decodable { let shave: Int; let on_y: Bool; let psnr, ssim: Double }
        struct Case: Decodable {
            let name: String
            let width, height, hr_width, hr_height: Int
            let sr, hr: String
            let expected: [Expected]
        }
        let cases: [Case]
    }

    /// Both sides compute in Double, so real differences are
    /// rounding (~1e-12), and a wrong crop, shave, weight or window moves PSNR by
    /// hundredths of a dB and SSIM by 1e-4 or more.
    static let psnrTolerance = 1e-4, ssimTolerance = 1e-6

    func testMatchesReferenceOnOneWorker() throws { try checkReference(threads: 1) }

    /// Two workers split SSIM's output rows, so each chunk refills the row ring.
    func testMatchesReferenceOnTwoWorkers() throws { try checkReference(threads: 2) }

    private func checkReference(threads: Int) throws {
        let reference = try loadFixture(Reference.self, named: "metrics_reference.json")
        XCTAssertEqual(reference.cases.count, 3)
        for c in reference.cases {
            let sr = [UInt8](try XCTUnwrap(Data(base64Encoded: c.sr)))
            let hr = [UInt8](try XCTUnwrap(Data(base64Encoded: c.hr)))
            for e in c.expected {
                let what = "\(c.name) shave \(e.shave) \(e.on_y ? "Y" : "RGB")"
                let s = try score(sr: sr, width: c.width, height: c.height, hr: hr, hrWidth: c.hr_width, hrHeight: c.hr_height,
                                  by: EvaluationProtocol(shave: e.shave, onY: e.on_y), threads: threads)
                XCTAssertEqual(s.psnr, e.psnr, accuracy: Self.psnrTolerance, what)
                XCTAssertEqual(s.ssim, e.ssim, accuracy: Self.ssimTolerance, what)
                guard c.width == c.hr_width && c.height == c.hr_height else { continue }
                XCTAssertEqual(psnr(sr, hr, width: c.width, height: c.height, shave: e.shave, onY: e.on_y), e.psnr,
                               accuracy: Self.psnrTolerance, what)
                XCTAssertEqual(ssim(sr, hr, width: c.width, height: c.height, shave: e.shave, onY: e.on_y, threads: threads), e.ssim,
                               accuracy: Self.ssimTolerance, what)
            }
        }
    }

    func testIdenticalImagesScorePerfectly() {
        let (w, h) = (23, 17)
        let image = (0..<(w * h * 3)).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ $0 / 7) }
        for onY in [true, false] {
            XCTAssertEqual(psnr(image, image, width: w, height: h, shave: 2, onY: onY), .infinity)
            XCTAssertEqual(ssim(image, image, width: w, height: h, shave: 2, onY: onY, threads: 2), 1, accuracy: 1e-12)
        }
    }

    /// A uniform offset d on every channel gives MSE d² on RGB and, since the Y weights
    /// sum to 219/255, MSE (219·d/255)² on Y.
    func testPSNROfAConstantOffset() {
        let (w, h) = (12, 11)
        let a = [UInt8](repeating: 100, count: w * h * 3), b = [UInt8](repeating: 104, count: w * h * 3)
        XCTAssertEqual(psnr(a, b, width: w, height: h, shave: 0, onY: false), 10 * log10(255 * 255 / 16.0), accuracy: 1e-12)
        let dy = 219.0 * 4 / 255
        XCTAssertEqual(psnr(a, b, width: w, height: h, shave: 1, onY: true), 10 * log10(255 * 255 / (dy * dy)), accuracy: 1e-9)
    }

    func testProtocols() {
        XCTAssertEqual(EvaluationProtocol.benchmark(scale: 3), EvaluationProtocol(shave: 3, onY: true))
        XCTAssertEqual(EvaluationProtocol.div2k(scale: 4), EvaluationProtocol(shave: 10, onY: false))
    }

    func testUnscorablePairsThrowClearErrors() {
        let small = [UInt8](repeating: 0, count: 20 * 20 * 3), big = [UInt8](repeating: 0, count: 30 * 30 * 3)
        XCTAssertThrowsError(try score(sr: big, width: 30, height: 30, hr: small, hrWidth: 20, hrHeight: 20, by: .benchmark(scale: 2), threads: 1)) {
            XCTAssertEqual($0.localizedDescription, "HR image is 20×20, smaller than the 30×30 super-resolved image")
        }
        XCTAssertThrowsError(try score(sr: small, width: 20, height: 20, hr: small, hrWidth: 20, hrHeight: 20, by: .div2k(scale: 2), threads: 1)) {
            XCTAssertEqual($0.localizedDescription,
                           "a 20×20 image with 8 pixels shaved per border is smaller than SSIM's 11×11 window")
        }
    }
}
