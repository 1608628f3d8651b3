import Foundation
import Machine
import TestSupport
import XCTest

/// The srdist binary as a user runs it.
final class CLITests: XCTestCase {
    let root = Executables.repositoryRoot()

    func config(_ name: String) -> String { root.appendingPathComponent("configs/\(name).json").path }

    /// EDSR-PyTorch's totals: baseline and paper EDSR at ×2, ×3, ×4.
    func testSummaryParameterTotals() throws {
        let expected = ["edsr_baseline_x2": 1_369_859, "edsr_baseline_x3": 1_554_499, "edsr_baseline_x4": 1_517_571,
                        "edsr_x2": 40_729_603, "edsr_x3": 43_680_003, "edsr_x4": 43_089_923,
                        "mdsr_baseline": 3_227_203, "mdsr": 7_953_987]
        for (name, total) in expected {
            let r = try srdist("summary", "--config", config(name))
            XCTAssertEqual(r.status, 0, r.output)
            XCTAssertTrue(r.output.hasSuffix("total trainable parameters: \(total)\n"), "\(name): \(r.output.suffix(80))")
        }
        let tiny = try srdist("summary", "--config", config("tiny_x2")).output
        XCTAssertTrue(tiny.contains("body.0.body.2.weight  [16, 16, 3, 3]"), tiny)
        XCTAssertTrue(tiny.contains("tail.0.0.weight       [64, 16, 3, 3]"), tiny)
    }

    func testBadConfigIsOneLineNamingTheKey() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("srdist-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.json")
        try #"{"model": {"scale": 2, "blokcs": 4}, "train": {"steps": 1}}"#.write(to: bad, atomically: true, encoding: .utf8)
        let r = try srdist("--config", bad.path)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.output, "Error: \(bad.path): key 'model.blokcs' is unknown\n")
        let missing = try srdist("--config", dir.appendingPathComponent("nope.json").path)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertEqual(missing.output, "Error: \(dir.path)/nope.json: no such config file\n")
    }

    func testBenchPrintsJSON() throws {
        let r = try srdist("bench", "--config", config("tiny_x2"), "--steps", "1", "--json")
        XCTAssertEqual(r.status, 0, r.output)
        // The record is the last line (a BLAS warning on standard error may precede it).
        let obj = try JSONSerialization.jsonObject(with: Data((r.output.split(separator: "\n").last ?? "").utf8)) as? [String: Any]
        XCTAssertGreaterThan(obj?["seconds_per_step"] as? Double ?? 0, 0)
        XCTAssertGreaterThan(obj?["gflops"] as? Double ?? 0, 0)
        XCTAssertEqual(obj?["blas"] as? String, BLASLibrary.loaded.name + " " + BLASLibrary.loaded.version + " " + (obj?["blas_kernel"] as? String ?? "?"))
        XCTAssertNotNil(obj?["simd"] as? String)
    }
}
