/// Protobuf's wire format, written field by field: a key (field << 3 | wire type), then
/// a varint (0), 8 bytes (1), a length-prefixed run (2) or 4 bytes (5). The one encoder
/// of srdist's two protobuf files, TensorBoard events and ONNX models: their few
/// messages are encoded by hand here rather than generated, so the build needs neither
/// a protobuf library nor its code generator.
public struct ProtobufWriter {
    public private(set) var encoded: [UInt8] = []

    public init() {}

    /// An unsigned varint field (uint32/64, enum, bool).
    public mutating func varint(_ field: Int, _ value: UInt64) {
        key(field, 0)
        appendVarint(value)
    }

    /// A signed int32/int64 field: two's complement as a 10-byte varint when negative.
    public mutating func int64(_ field: Int, _ value: Int) { varint(field, UInt64(bitPattern: Int64(value))) }

    public mutating func double(_ field: Int, _ value: Double) {
        key(field, 1)
        appendLittleEndian(value.bitPattern, bytes: 8, to: &encoded)
    }

    public mutating func float(_ field: Int, _ value: Float) {
        key(field, 5)
        appendLittleEndian(UInt64(value.bitPattern), bytes: 4, to: &encoded)
    }

    /// A bytes field, or an embedded message's encoding.
    public mutating func lengthDelimited(_ field: Int, _ value: [UInt8]) {
        key(field, 2)
        appendVarint(UInt64(value.count))
        encoded += value
    }

    public mutating func string(_ field: Int, _ value: String) { lengthDelimited(field, Array(value.utf8)) }

    public mutating func message(_ field: Int, _ value: ProtobufWriter) { lengthDelimited(field, value.encoded) }

    /// A bytes field holding `values` as little-endian float32, appended straight from
    /// memory (ONNX's `raw_data`: a large model's weights are not copied once more).
    public mutating func lengthDelimited(_ field: Int, float32 values: UnsafeBufferPointer<Float>) {
        key(field, 2)
        appendVarint(UInt64(values.count * 4))
        #if _endian(little)
        encoded.append(contentsOf: UnsafeRawBufferPointer(values))
        #else
        for v in values { appendLittleEndian(UInt64(v.bitPattern), bytes: 4, to: &encoded) }
        #endif
    }

    private mutating func key(_ field: Int, _ wireType: UInt64) { appendVarint(UInt64(field) << 3 | wireType) }

    private mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            encoded.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        encoded.append(UInt8(v))
    }
}

/// Appends the low `bytes` bytes of `value`, least significant first.
public func appendLittleEndian(_ value: UInt64, bytes: Int, to out: inout [UInt8]) {
    for i in 0..<bytes { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
}
