import Foundation
import TestSupport
import XCTest

/// A test case with a fresh folder `dir` for each test (removed after it) and the tiny
/// config: the base of the suites that run the srdist binary on run folders, with the
/// one `train` they all start runs with.
class ScratchFolderTestCase: XCTestCase {
    var dir: URL!
    let tiny = Executables.repositoryRoot().appendingPathComponent("configs/tiny_x2.json").path
    /// The start of the folder's name in /tmp, naming the suite that left it.
    class var folderPrefix: String { "srdist-test" }
    /// The `--set` overrides every run of the suite gets (its log and checkpoint cadence).
    class var runSettings: [String] { [] }
    /// OMP_NUM_THREADS of a single-process run.
    class var runThreads: Int { 2 }
    /// The environment of a run that names none.
    class var runEnvironment: [String: String] { [:] }

    /// The arguments of a tiny-config run in `dir/run` for `steps` steps, then `extra`.
    func trainArguments(_ run: String, steps: Int, _ extra: [String] = []) -> [String] {
        TestSupport.trainArguments(config: tiny, runDir: "\(dir.path)/\(run)", steps: steps, settings: Self.runSettings) + extra
    }

    /// A tiny-config run in `dir/run` for `steps` steps: in one process, or under mpirun
    /// on `np` ranks; with `environment` (else the suite's `runEnvironment`).
    func train(_ run: String, steps: Int, _ extra: [String] = [], np: Int? = nil,
               environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        try srdist(trainArguments(run, steps: steps, extra), np: np, threads: Self.runThreads,
                   environment: environment ?? Self.runEnvironment)
    }

    /// `train` in one process, which must succeed: its output.
    @discardableResult
    func trainSucceeds(_ run: String, steps: Int, _ extra: [String] = [], file: StaticString = #filePath,
                       line: UInt = #line) throws -> String {
        let r = try train(run, steps: steps, extra)
        XCTAssertEqual(r.status, 0, r.output, file: file, line: line)
        return r.output
    }

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(Self.folderPrefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }
}
