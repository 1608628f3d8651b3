import Foundation
import XCTest

/// `srdist inspect` end to end, on the committed PyTorch-converted fixture.
final class InspectCommandTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/checkpoint").path

    /// Runs the srdist binary built next to the test bundle; returns (status, stdout, stderr).
    func srdist(_ arguments: String...) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = Bundle.main.bundleURL.appendingPathComponent("srdist")
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        (p.standardOutput, p.standardError) = (out, err)
        try p.run()
        p.kill(after: 300)
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func testInspectPrintsHeaderAndTensorStatistics() throws {
        let (status, out, _) = try srdist("inspect", fixtures + "/edsr_b2f8_x2.h5")
        XCTAssertEqual(status, 0)
        XCTAssertTrue(out.contains("model        edsr ×2\n"), out)
        XCTAssertTrue(out.contains("parameters   5699 in 16 tensors\n"), out)
        XCTAssertNotNil(out.range(of: #"\nhead\.0\.weight +\[8, 3, 3, 3\] +-?[0-9.e-]+ +[0-9.e-]+ +-[0-9.e-]+ +[0-9.e-]+\n"#,
                                  options: .regularExpression), out)
    }

    func testInspectJSONParses() throws {
        let (status, out, _) = try srdist("inspect", "--json", fixtures + "/edsr_b2f8_x2.h5")
        XCTAssertEqual(status, 0)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        XCTAssertEqual(object["parameterCount"] as? Int, 5699)
        XCTAssertEqual((object["tensors"] as? [Any])?.count, 16)
    }

    func testDiffOfAFileWithItselfIsIdentical() throws {
        let f = fixtures + "/edsr_b2f8_x2.h5"
        let (status, out, _) = try srdist("inspect", "--diff", f, f, "--top", "3")
        XCTAssertEqual(status, 0)
        XCTAssertTrue(out.contains("… 13 more tensors"), out)
        XCTAssertTrue(out.hasSuffix("the parameters are identical\n"), out)
    }

    func testBadFilesAreOneErrorLine() throws {
        let (status, out, err) = try srdist("inspect", fixtures + "/newer_version.h5")
        XCTAssertEqual(status, 1)
        XCTAssertEqual(out, "")
        XCTAssertEqual(err, "Error: \(fixtures)/newer_version.h5: checkpoint format version 2 is newer than this srdist reads (1) "
                       + "— hint: resume with the srdist build that wrote it, or upgrade\n")
        let (diffStatus, _, diffErr) = try srdist("inspect", "--diff", fixtures + "/edsr_b2f8_x2.h5")
        XCTAssertEqual(diffStatus, 64)
        XCTAssertTrue(diffErr.hasPrefix("Error: --diff needs exactly two checkpoint files, got 1\n"), diffErr)
    }
}
