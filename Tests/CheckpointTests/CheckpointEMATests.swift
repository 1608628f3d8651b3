import Checkpoint
import Foundation
import TestSupport
import XCTest

/// The `/ema` group: written beside `/params` under the same names, read back bit for
/// bit, and checked like the other tensors (a bad decay or shape is one line).
final class CheckpointEMATests: CheckpointTestCase {
    func withEMA() -> CheckpointContents {
        var c = sample()
        c.ema = EMAWeights(decay: 0.999, params: c.params.map { $0 * 0.5 + 0.25 })
        return c
    }

    func testEMARoundTripsUnderTheParameterNames() throws {
        let original = withEMA()
        try CheckpointFile.write(original, to: file("a.h5"))
        let back = try CheckpointFile.read(path: file("a.h5"))
        XCTAssertEqual(back.ema?.decay, 0.999)
        XCTAssertEqual(back.ema?.params.map(\.bitPattern), original.ema?.params.map(\.bitPattern))
        XCTAssertEqual(back, original)
        // Without an average the file has no /ema group at all.
        try CheckpointFile.write(sample(), to: file("b.h5"))
        XCTAssertNil(try CheckpointFile.read(path: file("b.h5")).ema)
        let listing = try Executables.run("/usr/bin/env", ["h5ls", "-r", file("a.h5")]).output
        for v in original.layout.views { XCTAssertTrue(listing.contains("/ema/\(v.name) "), "/ema/\(v.name) missing:\n\(listing)") }
    }

    func testBadEMAIsOneLine() throws {
        try CheckpointFile.write(withEMA(), to: file("a.h5"))
        try CheckpointTamper(file("a.h5")).set("/ema", "decay", double: 1.5)
        assertCheckpointError(["a.h5", "attribute /ema/decay is 1.5, must be in [0, 1)"]) { _ = try CheckpointFile.read(path: file("a.h5")) }

        try CheckpointFile.write(withEMA(), to: file("b.h5"))
        try CheckpointTamper(file("b.h5")).declare("/ema/head.0.weight", float32: [8, 3, 3, 2])
        assertCheckpointError(["b.h5", "tensor /ema/head.0.weight has shape [8, 3, 3, 2]"]) { _ = try CheckpointFile.read(path: file("b.h5")) }

        var nan = withEMA()
        nan.ema!.params[3] = .nan
        try CheckpointFile.write(nan, to: file("c.h5"))
        assertCheckpointError(["c.h5", "tensor /ema/"]) { _ = try CheckpointFile.read(path: file("c.h5")) }
        XCTAssertTrue(nan.firstNonFinite()?.hasPrefix("/ema/") ?? false)
    }
}
