import Support
import XCTest

/// The JSON edge's strict pass: what JSONSerialization would take silently is refused
/// with its line and column.
final class JSONCheckTests: XCTestCase {
    func reason(_ text: String, _ check: JSONCheck = JSONCheck()) -> String? {
        do { try check.check(Array(text.utf8)); return nil } catch { return describe(error) }
    }

    func testValidJSONPasses() {
        XCTAssertNil(reason(#"{"a": [1, 2.5, -3e2, true, false, null, "x\"y"], "b": {"a": {}}}"#))
        XCTAssertNil(reason(" 9007199254740992 "), "2^53 itself is exact")
        XCTAssertNil(reason(#"{"a": 1, "b": {"a": 2}}"#), "the same key in two objects is fine")
    }

    func testDuplicateKeysAreNamedWithTheirPlace() {
        XCTAssertEqual(reason("{\"train\": {\"steps\": 2,\n  \"steps\": 4}}"), "line 2, column 3: key 'train.steps' is given twice in one object")
        XCTAssertEqual(reason(#"{"a": 1, "a": 1}"#), "line 1, column 10: key 'a' is given twice in one object")
    }

    func testNumbersADoubleCannotHoldAreRefused() {
        XCTAssertEqual(reason(#"{"x": 1e400}"#), "line 1, column 7: the number 1e400 for 'x' is beyond the range of a double")
        XCTAssertEqual(reason(#"{"s": 9007199254740993}"#),
                       "line 1, column 7: the integer 9007199254740993 for 's' is larger than 2^53, which JSON numbers cannot hold exactly")
        XCTAssertNotNil(reason("[-123456789012345678]"))
        XCTAssertNil(reason("[1e300, 0.0000001, -0]"))
    }

    func testSyntaxErrorsLongStringsAndDeepNestingHaveAPlace() {
        XCTAssertEqual(reason("{\"a\": 1,}"), "line 1, column 9: expected a key in quotes")
        XCTAssertEqual(reason("{\"a\" 1}"), "line 1, column 6: expected ':' after key 'a'")
        XCTAssertEqual(reason("[1] x"), "line 1, column 5: unexpected text after the JSON value")
        XCTAssertEqual(reason(#"{"a": "\#(String(repeating: "é", count: 10))"}"#, JSONCheck(maxString: 8)),
                       "line 1, column 7: a string of 20 bytes, more than 8")
        XCTAssertEqual(reason(String(repeating: "[", count: 70) + String(repeating: "]", count: 70)).map { $0.contains("deeper than 64") }, true)
        XCTAssertEqual(reason("\"abc"), "line 1, column 1: the text ends inside a string")
    }
}
