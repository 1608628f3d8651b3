import Foundation
import Support
import XCTest

/// The door every file goes through: what it refuses to read or replace, without
/// blocking, and that a refused write leaves the path as it was.
final class FileDoorTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "srdist-door-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func assertRefused(_ fragments: [String], _ body: () throws -> Void, line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { error in
            let text = describe(error)
            for f in fragments { XCTAssertTrue(text.contains(f), "\"\(text)\" lacks \"\(f)\"", line: line) }
        }
    }

    func testReadingRefusesAllButRegularFilesWithoutBlocking() throws {
        let fifo = "\(dir)/fifo"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let started = Date()
        assertRefused([fifo, "named pipe (FIFO), not a checkpoint file"]) { _ = try FileDoor.read(fifo, what: "checkpoint", maxBytes: 10) }
        assertRefused(["/dev/null", "character device"]) { _ = try FileDoor.read("/dev/null", what: "image", maxBytes: 10) }
        assertRefused([dir, "a folder, not a config file"]) { _ = try FileDoor.read(dir, what: "config", maxBytes: 10) }
        assertRefused(["\(dir)/none", "no such image file"]) { _ = try FileDoor.read("\(dir)/none", what: "image", maxBytes: 10) }
        XCTAssertLessThan(Date().timeIntervalSince(started), 2, "nothing waited for a writer")
    }

    func testReadingBoundsTheSizeBeforeReading() throws {
        let path = "\(dir)/f"
        try Data(repeating: 7, count: 100).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try FileDoor.read(path, what: "config", maxBytes: 100), [UInt8](repeating: 7, count: 100))
        assertRefused([path, "100 bytes, more than the 99"]) { _ = try FileDoor.read(path, what: "config", maxBytes: 99) }
        // Through a link to a regular file: read (a config kept elsewhere is a real setup).
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/link", withDestinationPath: path)
        XCTAssertEqual(try FileDoor.read("\(dir)/link", what: "config", maxBytes: 100).count, 100)
    }

    func testWritingReplacesOnlyRegularFilesAndLeavesOthersAsTheyWere() throws {
        let file = "\(dir)/out", fifo = "\(dir)/fifo", link = "\(dir)/link", target = "\(dir)/target"
        try FileDoor.writeAtomically(Array("one".utf8), to: file, what: "PNG")
        try FileDoor.writeAtomically(Array("two".utf8), to: file, what: "PNG")
        XCTAssertEqual(FileManager.default.contents(atPath: file), Data("two".utf8))
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        assertRefused([fifo, "named pipe", "replaces only regular files"]) { try FileDoor.writeAtomically([1], to: fifo, what: "ONNX model") }
        assertRefused([link, "symbolic link"]) { try FileDoor.writeAtomically([1], to: link, what: "ONNX model") }
        assertRefused([dir, "folder"]) { try FileDoor.writeAtomically([1], to: dir, what: "PNG") }
        XCTAssertEqual(FileManager.default.contents(atPath: target), Data("keep".utf8))
        var info = stat()
        XCTAssertEqual(lstat(fifo, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFIFO)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["fifo", "link", "out", "target"], "no temporary left")
    }

    func testAppendingRefusesLinksAndFIFOs() throws {
        let fifo = "\(dir)/fifo", link = "\(dir)/link"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "\(dir)/elsewhere")
        assertRefused([fifo, "named pipe"]) { _ = try FileDoor.openWritable(fifo, what: "log", append: true) }
        assertRefused([link, "symbolic link"]) { _ = try FileDoor.openWritable(link, what: "log", append: true) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/elsewhere"))
        let fd = try FileDoor.openWritable("\(dir)/log", what: "log", append: true)
        XCTAssertEqual(write(fd, "x", 1), 1)
        close(fd)
    }
}
