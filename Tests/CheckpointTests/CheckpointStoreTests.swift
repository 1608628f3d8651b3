import Checkpoint
import Foundation
import XCTest

final class CheckpointStoreTests: CheckpointTestCase {
    func names() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }

    func testSaveMovesLatestAndKeepsTheLastN() throws {
        let store = CheckpointStore(directory: dir + "/run", keepLast: 2, keepBest: false)
        XCTAssertNil(store.latest())
        for step in [100, 200, 300] {
            let c = sample(step: step, optimizer: false)
            let path = try store.save(c)
            XCTAssertEqual(path, dir + "/run/" + CheckpointStore.fileName(step: step))
            XCTAssertEqual(store.latest(), path)
            XCTAssertEqual(try CheckpointFile.read(path: path).step, step)
        }
        XCTAssertEqual(store.checkpoints().map(\.step), [200, 300])
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/run").sorted()
        XCTAssertEqual(files, ["latest", "step-000000200.h5", "step-000000300.h5"], "no temporary files left")
    }

    func testBestCheckpointSurvivesPruning() throws {
        let store = CheckpointStore(directory: dir, keepLast: 1, keepBest: true)
        for (step, psnr) in [(1, 30.0), (2, 32.5), (3, 31.0), (4, 32.0)] {
            let c = sample(step: step, optimizer: false)
            try store.save(c, score: psnr)
        }
        XCTAssertEqual(store.checkpoints().map(\.step), [2, 4])
        XCTAssertEqual(store.best()?.score, 32.5)
        XCTAssertEqual(store.best()?.path, dir + "/step-000000002.h5")
        XCTAssertEqual(store.latest(), dir + "/step-000000004.h5")
    }

    func testLatestFallsBackToHighestStepWithoutPointer() throws {
        let store = CheckpointStore(directory: dir, keepLast: 3)
        for step in [5, 7] {
            let c = sample(step: step, optimizer: false)
            try store.save(c)
        }
        try FileManager.default.removeItem(atPath: file("latest"))
        XCTAssertEqual(store.latest(), file("step-000000007.h5"))
    }

    func testResolveResume() throws {
        let store = CheckpointStore(directory: dir)
        XCTAssertNil(try store.resolve(resume: "auto"), "nothing to resume: start fresh")
        let saved = try store.save(sample())
        XCTAssertEqual(try store.resolve(resume: "auto"), saved)
        XCTAssertEqual(try CheckpointStore(directory: "/elsewhere").resolve(resume: dir), saved, "a folder means its latest")
        XCTAssertEqual(try store.resolve(resume: "/x/y.h5"), "/x/y.h5")
        try FileManager.default.createDirectory(atPath: file("empty"), withIntermediateDirectories: false)
        assertCheckpointError(["empty", "without checkpoints"]) { _ = try store.resolve(resume: self.file("empty")) }
    }

    func testUnwritableFolderIsReportedAndThePreviousCheckpointStays() throws {
        // A regular file where the store's folder should be: creation fails.
        XCTAssertTrue(FileManager.default.createFile(atPath: file("blocker"), contents: Data("x".utf8)))
        let blocked = CheckpointStore(directory: file("blocker"))
        assertCheckpointError(["blocker", "checkpoint not saved", "previous one is untouched"]) { try blocked.save(self.sample(step: 2)) }

        // In a store that holds a checkpoint: a folder squatting on the next save's
        // temporary file (this process's, beside the checkpoint) makes its creation fail
        // there, as an unwritable folder would (root writes through permissions). The
        // previous checkpoint, its `latest` pointer and its bytes stay.
        let store = CheckpointStore(directory: file("run"))
        let previous = try store.save(sample(step: 1))
        let next = CheckpointStore.fileName(step: 2)
        try FileManager.default.createDirectory(atPath: file("run/.\(next).tmp-\(getpid())"), withIntermediateDirectories: false)
        assertCheckpointError([next, "checkpoint not saved", "previous one is untouched"]) { try store.save(self.sample(step: 2)) }
        XCTAssertEqual(try String(contentsOfFile: file("run/latest"), encoding: .utf8), CheckpointStore.fileName(step: 1) + "\n")
        XCTAssertEqual(store.latest(), previous)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file("run/" + next)))
        XCTAssertEqual(try CheckpointFile.read(path: previous), sample(step: 1))
    }
}
