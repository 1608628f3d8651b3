import Foundation
import Train
import XCTest

/// The TFRecord framing and the hand-encoded protobuf, byte for byte against the
/// formats' definitions (the reading side is checked by TensorBoard in TensorBoardTests).
final class TensorBoardEventTests: XCTestCase {
    func testCRC32CKnownValues() {
        // RFC 3720 B.4 and the usual check value of CRC-32C.
        XCTAssertEqual(TFRecord.crc32c(Array("123456789".utf8)), 0xe306_9283)
        XCTAssertEqual(TFRecord.crc32c([UInt8](repeating: 0, count: 32)), 0x8a91_36aa)
        XCTAssertEqual(TFRecord.crc32c([UInt8](repeating: 0xff, count: 32)), 0x62a8_ab43)
    }

    func testRecordFraming() {
        let data: [UInt8] = [1, 2, 3]
        let record = TFRecord.frame(data)
        XCTAssertEqual(record.count, 8 + 4 + 3 + 4)
        XCTAssertEqual(Array(record[0..<8]), [3, 0, 0, 0, 0, 0, 0, 0])
        func u32(_ b: ArraySlice<UInt8>) -> UInt32 { b.reversed().reduce(0) { $0 << 8 | UInt32($1) } }
        func unmask(_ m: UInt32) -> UInt32 { let r = m &- 0xa282_ead8; return (r >> 17) | (r << 15) }
        XCTAssertEqual(unmask(u32(record[8..<12])), TFRecord.crc32c(Array(record[0..<8])))
        XCTAssertEqual(Array(record[12..<15]), data)
        XCTAssertEqual(unmask(u32(record[15..<19])), TFRecord.crc32c(data))
    }

    func testEventEncoding() {
        let header = TensorBoardEvent.header(wallTime: 1.5)
        XCTAssertEqual(header, [0x09] + withUnsafeBytes(of: 1.5.bitPattern.littleEndian, Array.init) + [0x1a, 13] + Array("brain.Event:2".utf8))
        let scalar = TensorBoardEvent.summary(wallTime: 0, step: 300, values: [.scalar(tag: "a", value: 0.5)])
        let value: [UInt8] = [0x0a, 1, UInt8(ascii: "a"), 0x15] + withUnsafeBytes(of: Float(0.5).bitPattern.littleEndian, Array.init)
        XCTAssertEqual(scalar, [0x09] + [UInt8](repeating: 0, count: 8) + [0x10, 0xac, 0x02]       // step 300 as a varint
                       + [0x2a, UInt8(value.count + 2), 0x0a, UInt8(value.count)] + value)
        let image = TensorBoardEvent.summary(wallTime: 0, step: 1, values: [.image(tag: "i", width: 2, height: 3, png: [9, 9])])
        let img: [UInt8] = [0x08, 3, 0x10, 2, 0x18, 3, 0x22, 2, 9, 9]
        let v: [UInt8] = [0x0a, 1, UInt8(ascii: "i"), 0x22, UInt8(img.count)] + img
        XCTAssertEqual(Array(image.suffix(v.count + 4)), [0x2a, UInt8(v.count + 2), 0x0a, UInt8(v.count)] + v)
    }
}
