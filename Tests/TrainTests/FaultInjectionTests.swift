import Support
import Train
import XCTest

final class FaultInjectionTests: XCTestCase {
    func testParsesRanksAndStepRanges() throws {
        let f = try FaultInjection(environment: [FaultInjection.variable: "1:3,0:5-7"])
        XCTAssertTrue(f.injectsNaN(rank: 1, step: 3))
        XCTAssertFalse(f.injectsNaN(rank: 0, step: 3))
        XCTAssertEqual((4...8).map { f.injectsNaN(rank: 0, step: $0) }, [false, true, true, true, false])
        XCTAssertFalse(try FaultInjection(environment: [:]).injectsNaN(rank: 0, step: 0))
    }

    func testMalformedValueNamesTheVariable() {
        for bad in ["1", "a:3", "1:5-3", "1:2-3-4", "1:"] {
            XCTAssertThrowsError(try FaultInjection(environment: [FaultInjection.variable: bad]), bad) {
                XCTAssertEqual(describe($0), "SRDIST_TEST_INJECT_NAN: expected RANK:STEP or RANK:FIRST-LAST, got \"\(bad)\"")
            }
        }
    }
}
