import Foundation
import TestSupport
import XCTest

/// A test case with a fresh folder `dir` for each test (removed after it) and the tiny
/// config: the base of the suites that run the srdist binary on run folders.
class ScratchFolderTestCase: XCTestCase {
    var dir: URL!
    let tiny = Executables.repositoryRoot().appendingPathComponent("configs/tiny_x2.json").path
    /// The start of the folder's name in /tmp, naming the suite that left it.
    class var folderPrefix: String { "srdist-test" }

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(Self.folderPrefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }
}
