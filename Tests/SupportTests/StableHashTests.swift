import Support
import XCTest

final class StableHashTests: XCTestCase {
    func testHashSeesEveryBitAndSeparatesStrings() {
        var a: [Float] = [1, 2, 3]
        let h = StableHash.of(a, count: 3)
        a[2] = Float(bitPattern: a[2].bitPattern ^ 1)
        XCTAssertNotEqual(StableHash.of(a, count: 3), h)
        var x = StableHash(), y = StableHash()
        x.add("ab"); x.add("c")
        y.add("a"); y.add("bc")
        XCTAssertNotEqual(x.value, y.value)
        XCTAssertEqual(StableHash.of("edsr"), StableHash.of("edsr"))
    }
}
