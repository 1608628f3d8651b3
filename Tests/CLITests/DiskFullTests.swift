import Checkpoint
import Foundation
import TestSupport
import XCTest

/// A disk that fills during a run (a small tmpfs, mounted by the test; needs root):
/// the log degrades to standard error, saves fail with a line, and a run whose last
/// checkpoint was not saved exits 86 whatever `on_save_error` says.
final class DiskFullTests: XCTestCase {
    var dir: URL!
    var mounted: String?
    let tiny = Executables.repositoryRoot().appendingPathComponent("configs/tiny_x2.json").path

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("srdist-full-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let mounted { Tmpfs.unmount(mounted) }
        try? FileManager.default.removeItem(at: dir)
    }

    /// A 512 KiB tmpfs filled up to `free` bytes (whole pages): room for the run
    /// folder's first log lines, not for a checkpoint (≈290 KB).
    func nearlyFullDisk(free: Int = 24 << 10) throws -> String {
        let path = dir.appendingPathComponent("disk").path
        if let reason = try Tmpfs.mount(path, size: "512k") { throw XCTSkip(missingCapability("a tmpfs mount", reason)) }
        mounted = path
        // Reserve `free`, fill the rest, then release the reserve.
        XCTAssertTrue(FileManager.default.createFile(atPath: path + "/reserve", contents: Data(count: free)))
        let fd = open(path + "/filler", O_WRONLY | O_CREAT, 0o644)
        let page = [UInt8](repeating: 1, count: 4096)
        while write(fd, page, page.count) > 0 {}
        close(fd)
        unlink(path + "/reserve")
        return path
    }

    func run(on disk: String, _ extra: [String]) throws -> (status: Int32, output: String) {
        try Executables.run(Executables.srdist, ["--config", tiny, "--set", "run_dir=\(disk)/run", "--set", "train.steps=60",
                                                 "--set", "train.log_every=1", "--set", "checkpoint.save_every=20"] + extra,
                            environment: ["OMP_NUM_THREADS": "1"], timeout: 120)
    }

    /// `on_save_error: continue` trains on past the failed saves but still exits 86,
    /// since its final checkpoint was not saved; with --quiet the lines train.log
    /// refused reach standard error.
    func testContinueAfterFailedSavesStillExits86() throws {
        let disk = try nearlyFullDisk()
        let r = try run(on: disk, ["--set", "checkpoint.on_save_error=continue", "--quiet"])
        XCTAssertEqual(r.status, 86, r.output)
        XCTAssertFalse(r.output.contains("Fatal error"), r.output)
        XCTAssertTrue(r.output.contains("\(disk)/run/train.log: cannot write (No space left on device)"), r.output)
        // By step 60 train.log is full too, so its lines are on standard error.
        XCTAssertTrue(r.output.contains("checkpoint at step 60 failed"), r.output)
        XCTAssertTrue(r.output.contains("training continues (on_save_error: continue)"), r.output)
        XCTAssertTrue(r.output.contains("step 60/60"), "the progress line reached standard error: \(r.output)")
        XCTAssertTrue(r.output.contains("the run's last checkpoint was not saved"), r.output)
        XCTAssertEqual(CheckpointStore(directory: "\(disk)/run/checkpoints").checkpoints().count, 0)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: "\(disk)/run/checkpoints")
        XCTAssertEqual(leftovers, [], "no temporary files left")
    }

    /// `on_save_error: stop` stops at the first failed save, also with 86.
    func testStopAtFailedSaveExits86() throws {
        let disk = try nearlyFullDisk()
        let r = try run(on: disk, [])
        XCTAssertEqual(r.status, 86, r.output)
        XCTAssertFalse(r.output.contains("Fatal error"), r.output)
        XCTAssertTrue(r.output.contains("checkpoint at step 20 failed"), r.output)
        XCTAssertFalse(r.output.contains("step 21/"), r.output)
    }
}
