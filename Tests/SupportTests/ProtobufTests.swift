import Support
import XCTest

/// `ProtobufWriter` and `ProtobufReader` agree on every wire type, and the reader turns
/// cut-off and crafted bytes into a `ProtobufError` instead of reading past the end.
final class ProtobufTests: XCTestCase {
    func testEveryWireTypeRoundTrips() throws {
        var inner = ProtobufWriter()
        inner.string(1, "héllo")
        var w = ProtobufWriter()
        w.varint(1, 300)
        w.int64(2, -5)
        w.double(3, 2.5)
        w.float(4, -0.75)
        w.message(5, inner)
        let floats: [Float] = [1, -2, 0.125]
        floats.withUnsafeBufferPointer { w.lengthDelimited(6, float32: $0) }
        let bytes = w.encoded
        XCTAssertEqual(Array(bytes.prefix(3)), [0x08, 0xac, 0x02], "field 1 varint 300, as protobuf's docs encode it")

        var r = ProtobufReader(bytes)
        guard case let (1, .varint(a))? = try r.next(), case let (2, .varint(b))? = try r.next(),
              case let (3, .fixed64(c))? = try r.next(), case let (4, .fixed32(d))? = try r.next(),
              case let (5, .lengthDelimited(e))? = try r.next(), case let (6, .lengthDelimited(f))? = try r.next()
        else { return XCTFail("fields out of order or of the wrong wire type") }
        XCTAssertNil(try r.next())
        XCTAssertEqual(a, 300)
        XCTAssertEqual(Int64(bitPattern: b), -5)
        XCTAssertEqual(Double(bitPattern: c), 2.5)
        XCTAssertEqual(Float(bitPattern: d), -0.75)
        var nested = r.reader(e)
        guard case let (1, .lengthDelimited(s))? = try nested.next() else { return XCTFail("nested string") }
        XCTAssertEqual(r.string(s), "héllo")
        XCTAssertEqual(Array(r.slice(f)), floats.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * $0)) } })
        XCTAssertEqual(try r.integers(.varint(7)), [7])
    }

    func testPackedAndUnpackedIntegersReadAlike() throws {
        var packed = ProtobufWriter()
        packed.lengthDelimited(1, [0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05])  // 3, 270, 86942 (protobuf's packed example)
        var r = ProtobufReader(packed.encoded)
        guard let (_, value) = try r.next() else { return XCTFail("no field") }
        XCTAssertEqual(try r.integers(value), [3, 270, 86942])
    }

    func testCutOffAndCraftedBytesAreErrors() {
        var w = ProtobufWriter()
        w.string(1, "a string long enough to cut")
        w.double(2, 1)
        let bytes = w.encoded
        for cut in 1..<bytes.count where cut != 29 {  // 29: between the two fields, a whole message
            var r = ProtobufReader(Array(bytes.prefix(cut)))
            XCTAssertThrowsError(try { while try r.next() != nil {} }(), "cut at \(cut)")
        }
        let crafted: [[UInt8]] = [
            [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f],  // a 4 GiB length in 6 bytes
            [0x08] + [UInt8](repeating: 0xff, count: 11),  // an 11-byte varint
            [0x00, 0x01],  // field number 0
            [0x0b],  // a group (wire type 3)
        ]
        for bytes in crafted {
            var r = ProtobufReader(bytes)
            XCTAssertThrowsError(try { while try r.next() != nil {} }(), "\(bytes)")
        }
    }
}
