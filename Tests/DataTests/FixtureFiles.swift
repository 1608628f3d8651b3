import Data
import Foundation
import TestSupport
import XCTest

/// Files under Tests/DataTests/Fixtures, written by the scripts in tools/reference/.
enum FixtureFiles {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static func path(_ name: String) -> String { "\(folder)/\(name)" }

    /// A raw fixture image (`readRawRGB`).
    static func rgb(_ name: String) throws -> RGBImage {
        let raw = try readRawRGB(path(name))
        return RGBImage(width: raw.width, height: raw.height, pixels: raw.pixels)
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
