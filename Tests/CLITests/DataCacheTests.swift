import Checkpoint
import Data
import Foundation
import TestSupport
import XCTest

/// The decoded-image cache as users build it: `prepare-data` shared out over the
/// ranks of mpirun, training from the maps, resume bit-identical on file data.
final class DataCacheTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("srdist-cache-\(UUID().uuidString)").path
        try SyntheticImages.writeDIV2K(root: "\(dir!)/DIV2K", count: 8, size: 72, scales: [2, 3, 4], seed: 6)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func config(_ model: String) throws -> String {
        let path = "\(dir!)/\(model).json"
        let m = model == "mdsr" ? #""arch": "mdsr", "scales": [2, 3, 4]"# : #""arch": "edsr", "scale": 2"#
        let text = """
        { "name": "\(model)", "model": { \(m), "blocks": 2, "features": 16 },
          "train": { "batch_size": 4, "patch_size": 16, "steps": 20, "lr": 5e-4, "log_every": 10 },
          "data": { "kind": "div2k", "root": "\(dir!)/DIV2K", "data_range": "1-6/7-8", "cache_dir": "\(dir!)/cache" },
          "checkpoint": { "save_every": 1000 } }
        """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Two ranks build the MDSR cache together: rank 0 decodes its half (images 1, 3,
    /// 5 and validation image 7), every file ends up complete, and a second run
    /// decodes nothing.
    func testPrepareDataSharesTheBuildOverRanks() throws {
        let cfg = try config("mdsr")
        let first = try Executables.mpirunSrdist(2, ["prepare-data", "--config", cfg])
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertTrue(first.output.contains("8 images (HR + LR ×2/×3/×4)"), first.output)
        XCTAssertTrue(first.output.contains("rank 0 decoded 4 "), first.output)
        let dataset = Dataset(layout: .div2k, root: "\(dir!)/DIV2K", cacheDir: "\(dir!)/cache")
        let files = try FileManager.default.contentsOfDirectory(atPath: dataset.cacheFolder)
        XCTAssertEqual(files.count, 8 * 4, files.sorted().description)
        for f in files { XCTAssertNotNil(try ImageCache.open("\(dataset.cacheFolder)/\(f)"), f) }
        let again = try Executables.mpirunSrdist(2, ["prepare-data", "--config", cfg])
        XCTAssertTrue(again.output.contains("8 images (HR + LR ×2/×3/×4) from the image cache"), again.output)
    }

    /// Training on 2 ranks from the maps, stopped at step 10 and resumed, ends with
    /// the same bits as 20 steps straight.
    func testResumeOnMappedDataIsBitIdentical() throws {
        let cfg = try config("edsr")
        @discardableResult func train(_ run: String, _ steps: Int, _ extra: [String] = []) throws -> String {
            let r = try Executables.mpirunSrdist(2, ["--config", cfg, "--set", "run_dir=\(dir!)/\(run)", "--set", "train.steps=\(steps)"] + extra)
            XCTAssertEqual(r.status, 0, r.output)
            return r.output
        }
        try train("straight", 20)
        try train("split", 10)
        let resumed = try train("split", 20, ["--resume", "auto"])
        XCTAssertTrue(resumed.contains(resumedLine("\(dir!)/split", step: 10)), resumed)
        func params(_ run: String) throws -> [Float] { try CheckpointFile.read(path: try CheckpointStore.locate("\(dir!)/\(run)")).params }
        XCTAssertEqual(try params("straight"), try params("split"))
    }

    /// Cache files truncated under a running job end it with a line naming the file and
    /// exit 1, not a bus error.
    func testCacheTruncatedUnderARunningJobIsOneLine() throws {
        let cfg = try config("edsr")
        XCTAssertEqual(try Executables.run(Executables.srdist, ["prepare-data", "--config", cfg]).status, 0)
        let log = URL(fileURLWithPath: "\(dir!)/run.log")
        let p = try Executables.startLogged(Executables.srdist, ["--config", cfg, "--set", "run_dir=\(dir!)/run", "--set", "train.steps=100000",
                                                                 "--set", "train.log_every=1"], log: log, until: "step 2/", timeout: 120)
        let folder = Dataset(layout: .div2k, root: "\(dir!)/DIV2K", cacheDir: "\(dir!)/cache").cacheFolder
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".srd") {
            XCTAssertEqual(truncate("\(folder)/\(name)", 64), 0)
        }
        let began = Date()
        while p.isRunning && Date().timeIntervalSince(began) < 60 { usleep(20_000) }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        XCTAssertEqual(p.terminationReason, .exit, output)
        XCTAssertEqual(p.terminationStatus, 1, output)
        XCTAssertTrue(output.contains("the image cache file was truncated or rewritten while this run had it mapped"), output)
    }

    /// A cache folder that is a regular file is one line from rank 0 on two ranks: no
    /// rank's own copy, no MPI_ABORT.
    func testCacheFolderThatIsAFileIsOneLineOnTwoRanks() throws {
        let cfg = try config("edsr")
        XCTAssertTrue(FileManager.default.createFile(atPath: "\(dir!)/cache", contents: Data("x".utf8)))
        let r = try Executables.mpirunSrdist(2, ["--config", cfg, "--set", "run_dir=\(dir!)/run"], timeout: 120)
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertEqual(r.output.split(separator: "\n").filter { $0.contains("image cache folder") }.count, 1, r.output)
        XCTAssertFalse(r.output.contains("MPI_ABORT"), r.output)
        XCTAssertFalse(r.output.contains("requeue me"), r.output)
    }

    /// A bad cache file stops the run with one line naming it.
    func testForeignCacheFileIsNamed() throws {
        let cfg = try config("edsr")
        XCTAssertEqual(try Executables.run(Executables.srdist, ["prepare-data", "--config", cfg]).status, 0)
        let dataset = Dataset(layout: .div2k, root: "\(dir!)/DIV2K", cacheDir: "\(dir!)/cache")
        let bad = "\(dataset.cacheFolder)/\(ImageCache.fileName("0004", scale: nil))"
        XCTAssertTrue(FileManager.default.createFile(atPath: bad, contents: Data(repeating: 1, count: 200)))
        let r = try Executables.run(Executables.srdist, ["--config", cfg, "--set", "run_dir=\(dir!)/run"])
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertEqual(r.output.split(separator: "\n").filter { $0.hasPrefix("Error:") }, ["Error: \(bad): not an srdist image cache file; delete it"])
    }
}
