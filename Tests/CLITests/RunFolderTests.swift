import Checkpoint
import Foundation
import TestSupport
import XCTest

/// One run per run folder, and what a start does with a folder a crash or a damaged
/// disk left: fall back past bad checkpoints, tidy debris, survive the folder's deletion.
final class RunFolderTests: ScratchFolderTestCase {
    override class var folderPrefix: String { "srdist-folder" }

    func args(_ run: String, steps: Int, _ extra: [String]) -> [String] {
        ["--config", tiny, "--set", "run_dir=\(dir.path)/\(run)", "--set", "train.steps=\(steps)", "--set", "train.log_every=5",
         "--set", "checkpoint.save_every=10"] + extra
    }

    func train(_ run: String, steps: Int, _ extra: [String] = []) throws -> (status: Int32, output: String) {
        try Executables.run(Executables.srdist, args(run, steps: steps, extra), environment: ["OMP_NUM_THREADS": "1"])
    }

    /// A long run in the background, returned once its output contains `text`.
    func start(_ run: String, until text: String) throws -> (Process, URL) {
        let log = dir.appendingPathComponent("\(run)-\(UUID().uuidString).log")
        let p = try Executables.startLogged(Executables.srdist, args(run, steps: 100_000, []), environment: ["OMP_NUM_THREADS": "1"],
                                            log: log, until: text)
        return (p, log)
    }

    func contents(of log: URL) -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    func stop(_ p: Process) {
        kill(p.processIdentifier, SIGUSR1)
        p.waitUntilExit(within: 120)
    }

    func testSecondRunOnTheSameFolderIsRefusedNamingTheHolder() throws {
        let (first, _) = try start("busy", until: "step 5/")
        defer { stop(first) }
        let second = try train("busy", steps: 10, ["--resume", "auto"])
        XCTAssertEqual(second.status, 1, second.output)
        XCTAssertTrue(second.output.contains("Error: \(dir.path)/busy is in use by another srdist run (host "), second.output)
        XCTAssertTrue(second.output.contains("pid \(first.processIdentifier),"), second.output)
    }

    /// The lock file of a run that died (no process holds its flock) never blocks.
    func testStaleLockFileDoesNotBlock() throws {
        try FileManager.default.createDirectory(atPath: "\(dir.path)/stale", withIntermediateDirectories: true)
        try "host elsewhere, pid 999999, since 2020-01-01T00:00:00Z\n".write(toFile: "\(dir.path)/stale/srdist.lock", atomically: true, encoding: .utf8)
        let r = try train("stale", steps: 5)
        XCTAssertEqual(r.status, 0, r.output)
    }

    /// A corrupt `latest` (flipped bytes) is passed over on resume, with a line
    /// naming it, and training continues from the previous checkpoint.
    func testResumeFallsBackPastACorruptLatest() throws {
        XCTAssertEqual(try train("bad", steps: 20).status, 0)
        let latest = "\(dir.path)/bad/checkpoints/step-000000020.h5"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: latest)))
        for i in (bytes.count - 4096)..<(bytes.count - 4096 + 64) { bytes[i] ^= 0xFF }  // inside the last tensors' data
        try Data(bytes).write(to: URL(fileURLWithPath: latest))
        let r = try train("bad", steps: 30, ["--resume", "auto"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("passed over a checkpoint that does not read back whole: \(latest)"), r.output)
        XCTAssertTrue(r.output.contains("resuming from \(dir.path)/bad/checkpoints/step-000000010.h5, the newest valid checkpoint"), r.output)
        XCTAssertTrue(r.output.contains("at step 10"), r.output)
        XCTAssertEqual(try CheckpointFile.read(path: try CheckpointStore.locate("\(dir.path)/bad")).step, 30)
    }

    /// Debris of a killed save (temporaries, a half-moved pointer, more checkpoints
    /// than keep_last) is cleaned by the next start, even one with nothing to train.
    func testNextStartTidiesDebris() throws {
        XCTAssertEqual(try train("debris", steps: 20).status, 0)
        let ckpt = "\(dir.path)/debris/checkpoints"
        try FileManager.default.copyItem(atPath: "\(ckpt)/step-000000010.h5", toPath: "\(ckpt)/step-000000005.h5")
        try "garbage".write(toFile: "\(ckpt)/.best.tmp-12345", atomically: false, encoding: .utf8)
        try "half".write(toFile: "\(ckpt)/.step-000000030.h5.tmp-12345", atomically: false, encoding: .utf8)
        let r = try train("debris", steps: 20, ["--resume", "auto"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("removed .best.tmp-12345, left by an interrupted save"), r.output)
        let names = try FileManager.default.contentsOfDirectory(atPath: ckpt).sorted()
        XCTAssertEqual(names, ["best", "latest", "step-000000010.h5", "step-000000020.h5"])
    }

    /// Deleting the run folder mid-run: it is recreated with a warning, and the stop
    /// checkpoint, config.json and the log land in it.
    func testVanishedRunFolderIsRecreated() throws {
        let (p, log) = try start("gone", until: "step 5/")
        try FileManager.default.removeItem(atPath: "\(dir.path)/gone")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !contents(of: log).contains("vanished") { usleep(20_000) }
        stop(p)
        XCTAssertEqual(p.terminationStatus, 85, contents(of: log))
        XCTAssertTrue(contents(of: log).contains("warning: the run folder \(dir.path)/gone vanished during the run; recreated it"), contents(of: log))
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir.path)/gone/config.json"))
        XCTAssertTrue(try String(contentsOfFile: "\(dir.path)/gone/train.log", encoding: .utf8).contains("vanished"))
        XCTAssertGreaterThan(try CheckpointFile.read(path: try CheckpointStore.locate("\(dir.path)/gone")).step, 5)
    }
}
