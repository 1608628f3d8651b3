/// Protobuf's wire format, read field by field from untrusted bytes: every length is
/// checked against what is left before it is used, so a truncated or crafted file
/// ends in a `ProtobufError`, never a read past the end or an allocation it asks for.
public struct ProtobufReader {
    /// One field's value as the wire carries it.
    public enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        /// A bytes/string field or an embedded message: its indices in the buffer.
        case lengthDelimited(Range<Int>)
        case fixed32(UInt32)
    }

    private let bytes: [UInt8]
    private var position: Int
    private let end: Int

    /// Reads the fields of `bytes[range]` (all of `bytes` by default); `bytes` is shared, not copied.
    public init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        let r = range ?? bytes.indices
        precondition(r.lowerBound >= 0 && r.upperBound <= bytes.count)
        (self.bytes, position, end) = (bytes, r.lowerBound, r.upperBound)
    }

    /// The next field, or nil at the end of the message.
    /// - Throws: `ProtobufError` on a truncated field, an over-long varint, a length past
    ///   the end, field number 0 or a group (wire types 3 and 4, which no file here uses).
    public mutating func next() throws -> (field: Int, value: Value)? {
        guard position < end else { return nil }
        let start = position
        let key = try readVarint()
        let field = key >> 3
        guard field > 0, field < 1 << 29 else { throw ProtobufError("field number \(field) at byte \(start)") }
        switch key & 7 {
        case 0: return (Int(field), .varint(try readVarint()))
        case 1: return (Int(field), .fixed64(try readFixed(8)))
        case 2:
            let length = try readVarint()
            guard length <= UInt64(end - position) else {
                throw ProtobufError("field \(field) at byte \(start) claims \(length) bytes, \(end - position) remain (truncated?)")
            }
            let range = position..<(position + Int(length))
            position = range.upperBound
            return (Int(field), .lengthDelimited(range))
        case 5: return (Int(field), .fixed32(UInt32(try readFixed(4))))
        default: throw ProtobufError("field \(field) at byte \(start) has wire type \(key & 7), which is not read here")
        }
    }

    /// The bytes of a length-delimited value.
    public func slice(_ range: Range<Int>) -> ArraySlice<UInt8> { bytes[range] }

    /// A reader over an embedded message.
    public func reader(_ range: Range<Int>) -> ProtobufReader { ProtobufReader(bytes, range: range) }

    /// A string field's text (invalid UTF-8 repaired, as it is only shown).
    public func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    /// The integers of a repeated int64 field, whether it came packed (one
    /// length-delimited run of varints) or as one varint per field.
    public func integers(_ value: Value) throws -> [Int64] {
        switch value {
        case let .varint(v): return [Int64(bitPattern: v)]
        case let .lengthDelimited(range):
            var packed = ProtobufReader(bytes, range: range), out: [Int64] = []
            while packed.position < packed.end { out.append(Int64(bitPattern: try packed.readVarint())) }
            return out
        default: throw ProtobufError("an integer field has a fixed-size wire type")
        }
    }

    private mutating func readVarint() throws -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<10 {
            guard position < end else { throw ProtobufError("a varint is cut off at byte \(position) (truncated?)") }
            let b = bytes[position]
            position += 1
            value |= UInt64(b & 0x7f) << (7 * UInt64(i))
            if b < 0x80 { return value }
        }
        throw ProtobufError("a varint at byte \(position - 10) runs past 10 bytes")
    }

    private mutating func readFixed(_ count: Int) throws -> UInt64 {
        guard end - position >= count else { throw ProtobufError("a \(count)-byte field is cut off at byte \(position) (truncated?)") }
        var value: UInt64 = 0
        for i in 0..<count { value |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += count
        return value
    }
}

/// Bytes that are not well-formed protobuf: what is wrong and at which byte.
public struct ProtobufError: OneLineError {
    public let message: String
    public init(_ message: String) { self.message = message }
}
