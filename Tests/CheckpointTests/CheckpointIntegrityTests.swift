import Checkpoint
import Foundation
import TestSupport
import XCTest

/// Checksums, refusal of non-finite values, and what a run start repairs: a
/// checkpoint must never be trusted when damaged, and a killed save leaves no debris.
final class CheckpointIntegrityTests: CheckpointTestCase {
    /// Flips `count` bytes of the file where the tensor `values` is stored.
    func corrupt(_ path: String, where values: [Float], count: Int = 64) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let needle = values.prefix(16).withUnsafeBytes { [UInt8]($0) }
        let at = try XCTUnwrap((0...(bytes.count - needle.count)).first { bytes[$0..<($0 + needle.count)].elementsEqual(needle) },
                               "tensor bytes not found in \(path)")
        for i in at..<(at + count) { bytes[i] ^= 0x5A }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    func testEveryTensorIsFletcher32ChecksummedAndToolsStillReadIt() throws {
        try CheckpointFile.write(sample(), to: file("a.h5"))
        let dump = try Executables.run("/usr/bin/env", ["h5dump", "-p", "-d", "/optim/v/head.0.weight", file("a.h5")])
        XCTAssertEqual(dump.status, 0, dump.output)
        XCTAssertTrue(dump.output.contains("CHECKSUM FLETCHER32"), dump.output)
        let ls = try Executables.run("/usr/bin/env", ["h5ls", "-r", "-v", file("a.h5")])
        XCTAssertEqual(ls.output.components(separatedBy: "Filter-0:  fletcher32").count - 1, 3 * sample().layout.views.count, ls.output)
    }

    /// 64 flipped bytes in Adam's second moment: the read fails naming the file.
    func testFlippedBytesFailVerification() throws {
        let c = sample()
        try CheckpointFile.write(c, to: file("a.h5"))
        let v = try XCTUnwrap(c.optimizer?.v)
        try corrupt(file("a.h5"), where: Array(v[c.layout.views[2].range]))
        assertCheckpointError([file("a.h5"), "damaged"]) { _ = try CheckpointFile.read(path: self.file("a.h5")) }
    }

    func testNonFiniteContentsAreNeverSaved() throws {
        let store = CheckpointStore(directory: dir)
        let good = try store.save(sample(step: 10))
        var bad = sample(step: 20)
        bad.params[bad.layout.views[1].offset + 3] = .nan
        assertCheckpointError(["step-000000020.h5", "/params/\(bad.layout.views[1].name) holds NaN", "previous checkpoint stays latest"]) {
            try store.save(bad)
        }
        bad = sample(step: 20)
        bad.optimizer!.v[0] = .infinity
        assertCheckpointError(["/optim/v/\(bad.layout.views[0].name) holds NaN or ±∞"]) { try store.save(bad) }
        XCTAssertEqual(store.latest(), good)
        XCTAssertEqual(store.checkpoints().map(\.step), [10])
    }

    /// Resume takes the newest checkpoint that reads back whole: a corrupt and a
    /// truncated newer one are passed over, each named with its reason.
    func testNewestValidPassesOverCorruptAndTruncatedCheckpoints() throws {
        let store = CheckpointStore(directory: dir, keepLast: 3)
        for step in [100, 200, 300] { try store.save(sample(step: step)) }
        let c = sample(step: 300)
        try corrupt(file("step-000000300.h5"), where: Array(c.optimizer!.v[c.layout.views[0].range]))
        let data = try Data(contentsOf: URL(fileURLWithPath: file("step-000000200.h5")))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: file("step-000000200.h5")))
        let (found, rejected) = store.newestValid(first: store.latest())
        XCTAssertEqual(found?.path, file("step-000000100.h5"))
        XCTAssertEqual(found?.contents, sample(step: 100))
        XCTAssertEqual(rejected.count, 2, "\(rejected)")
        XCTAssertTrue(rejected[0].hasPrefix(file("step-000000300.h5")), rejected[0])
        XCTAssertTrue(rejected[1].hasPrefix(file("step-000000200.h5")), rejected[1])
        // Retention at start keeps the resumed (older) checkpoint even with keep_last 1.
        CheckpointStore(directory: dir, keepLast: 1).enforceRetention(keeping: file("step-000000100.h5"))
        XCTAssertEqual(store.checkpoints().map(\.step), [100, 300])
    }

    /// A save killed between moving `latest` and `best` (and another killed while
    /// writing): the next start completes `best`, removes the temporaries and moves a
    /// stale `latest`.
    func testRecoverCompletesInterruptedMovesAndRemovesTemporaries() throws {
        let store = CheckpointStore(directory: dir, keepLast: 2)
        try store.save(sample(step: 1), score: 30)
        try store.save(sample(step: 2), score: 29)
        // Killed after writing step 3 but before either pointer moved.
        try CheckpointFile.write(sample(step: 3), to: file("step-000000003.h5"))
        try "step-000000003.h5 31.5\n".write(toFile: file(".best.tmp-4242"), atomically: false, encoding: .utf8)
        try "half a chec".write(toFile: file(".step-000000004.h5.tmp-4243"), atomically: false, encoding: .utf8)
        let lines = store.recover()
        XCTAssertEqual(lines.count, 3, "\(lines)")
        XCTAssertEqual(store.latest(), file("step-000000003.h5"))
        XCTAssertEqual(store.best()?.score, 31.5)
        XCTAssertEqual(store.best()?.path, file("step-000000003.h5"))
        store.enforceRetention(keeping: file("step-000000003.h5"))
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        XCTAssertEqual(names, ["best", "latest", "step-000000002.h5", "step-000000003.h5"])
        XCTAssertEqual(store.recover(), [], "nothing left to repair")
    }
}
