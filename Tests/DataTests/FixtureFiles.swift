import Data
import Foundation
import XCTest

/// Files under Tests/DataTests/Fixtures, written by the scripts in tools/reference/.
enum FixtureFiles {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static func path(_ name: String) -> String { "\(folder)/\(name)" }

    /// A raw fixture image: width, height (little-endian UInt32), then RGB rows.
    static func rgb(_ name: String) throws -> RGBImage {
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: path(name)).map { [UInt8]($0) }, "missing fixture \(name)")
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        return RGBImage(width: u32(0), height: u32(4), pixels: Array(bytes[8...]))
    }
}

/// A fresh temporary folder, removed at the end of the test.
func temporaryFolder(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "srdist-data-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// Asserts that `body` throws a `DataError` whose message contains each of `parts`.
func assertDataError<T>(_ body: @autoclosure () throws -> T, contains parts: [String], file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected a DataError containing \(parts)", file: file, line: line)
    } catch let error as DataError {
        for part in parts {
            XCTAssertTrue(error.description.contains(part), "'\(error.description)' does not contain '\(part)'", file: file, line: line)
        }
        XCTAssertFalse(error.description.contains("\n"), "error message must be one line", file: file, line: line)
    } catch {
        XCTFail("expected a DataError, got \(error)", file: file, line: line)
    }
}
