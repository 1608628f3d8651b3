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

    /// Plain FNV-1a, the published test vectors: tensors' random streams and cache tags
    /// are these numbers, so existing checkpoints' initial weights and caches still match.
    func testBytesHashIsFNV1a() {
        XCTAssertEqual(StableHash.ofBytes(""), 0xCBF2_9CE4_8422_2325)
        XCTAssertEqual(StableHash.ofBytes("a"), 0xAF63_DC4C_8601_EC8C)
        XCTAssertEqual(StableHash.ofBytes("foobar"), 0x8594_4171_F739_67E8)
    }
}
