import Checkpoint
import Foundation
import XCTest

/// A writer killed with SIGKILL anywhere inside a save, or stopped by a full disk,
/// leaves the previous checkpoint whole and `latest` pointing at a whole checkpoint.
final class CheckpointCrashTests: CheckpointTestCase {
    /// The harness is built next to the test bundle (`Tests/CheckpointHarness`).
    var harness: String {
        Bundle.main.bundleURL.appendingPathComponent("checkpoint-harness").path
    }

    /// Floats per tensor set: 3 arrays × 4 MB, so a save takes tens of milliseconds
    /// and the kill delays below land in every phase (datasets, close, fsync, rename,
    /// pointer, prune).
    let floats = 1_000_000

    func launch(_ arguments: [String]) throws -> (Process, Pipe, Pipe) {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: harness), "\(harness) missing: run swift build first")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: harness)
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        (p.standardOutput, p.standardError) = (out, err)
        try p.run()
        p.kill(after: 300)
        return (p, out, err)
    }

    /// Checkpoint N holds N everywhere (see the harness), so a mix of two saves or a
    /// half-written tensor shows.
    func assertWhole(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let c = try CheckpointFile.read(path: path)
        let n = Float(c.step)
        XCTAssertTrue(c.params.allSatisfy { $0 == n }, "\(path): params", file: file, line: line)
        XCTAssertTrue(c.optimizer!.m.allSatisfy { $0 == n } && c.optimizer!.v.allSatisfy { $0 == n }, "\(path): moments",
                      file: file, line: line)
        XCTAssertEqual(c.state.dataStep, c.step, file: file, line: line)
    }

    func testSIGKILLDuringSavesLeavesTheLatestCheckpointLoadable() throws {
        for (i, delayMs) in [0, 2, 5, 9, 14, 20, 27, 35, 50, 70].enumerated() {
            let run = file("kill-\(i)")
            let (p, out, _) = try launch(["save-loop", run, "\(floats)"])
            // Wait for the first complete save, so there is a previous checkpoint.
            var seen = Data()
            while !String(decoding: seen, as: UTF8.self).contains("saved 1\n") {
                let chunk = out.fileHandleForReading.availableData
                XCTAssertFalse(chunk.isEmpty, "harness exited early")
                if chunk.isEmpty { return }
                seen.append(chunk)
            }
            usleep(useconds_t(delayMs * 1000))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationReason, .uncaughtSignal)

            let store = CheckpointStore(directory: run)
            let latest = try XCTUnwrap(store.latest(), "delay \(delayMs) ms: no latest checkpoint")
            try assertWhole(latest)
            for c in store.checkpoints() { try assertWhole(c.path) }
            // A temporary file left behind is either whole (killed before its rename)
            // or refused with one line; never a crash.
            for name in try FileManager.default.contentsOfDirectory(atPath: run) where name.contains(".tmp-") {
                do { try assertWhole(run + "/" + name) } catch let e as CheckpointError {
                    XCTAssertFalse(e.description.contains("\n"))
                }
            }
        }
    }

    func testFullDiskIsReportedThePreviousCheckpointStaysAndSavingContinues() throws {
        let run = file("full")
        let (first, _, _) = try launch(["save-capped", run, "\(floats)", "1", "\(1 << 30)"])
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 0)
        XCTAssertEqual(CheckpointStore(directory: run).checkpoints().map(\.step), [1, 2])
        // Files capped at 1 MB: the 12 MB checkpoint of step 3 cannot be written.
        let (second, _, err) = try launch(["save-capped", run, "\(floats)", "3", "\(1 << 20)"])
        second.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(message.hasPrefix(run + "/step-000000003.h5: checkpoint not saved, the previous one is untouched: "), message)
        XCTAssertTrue(message.hasSuffix("File too large\n"), message)
        XCTAssertEqual(message.filter { $0 == "\n" }.count, 1, "one line: \(message)")
        XCTAssertEqual(second.terminationStatus, 0, "the next save, with room again, succeeds in the same process")
        XCTAssertFalse(FileManager.default.fileExists(atPath: run + "/step-000000003.h5"))

        let store = CheckpointStore(directory: run)
        XCTAssertEqual(store.checkpoints().map(\.step), [2, 4])
        XCTAssertEqual(store.latest(), run + "/step-000000004.h5")
        for c in store.checkpoints() { try assertWhole(c.path) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: run).sorted(),
                       ["latest", "step-000000002.h5", "step-000000004.h5"], "the failed temporary file is removed")
    }
}
