/// The few protobuf messages of a TensorBoard event file, encoded by hand
/// (tensorboard/compat/proto/event.proto and summary.proto):
///
///     Event          wall_time = 1 (double), step = 2 (int64), file_version = 3 (string),
///                    summary = 5 (Summary)
///     Summary        value = 1 (repeated Value)
///     Summary.Value  tag = 1 (string), simple_value = 2 (float), image = 4 (Image)
///     Summary.Image  height = 1, width = 2, colorspace = 3 (int32),
///                    encoded_image_string = 4 (bytes, PNG)
public enum TensorBoardEvent {
    /// What TensorBoard's reader expects in an events file's first record.
    public static let fileVersion = "brain.Event:2"

    /// One summary value: a scalar, or an image given as PNG bytes.
    public enum Value: Equatable, Sendable {
        case scalar(tag: String, value: Float)
        case image(tag: String, width: Int, height: Int, png: [UInt8])
    }

    /// The first event of a file: its version, no summary.
    public static func header(wallTime: Double) -> [UInt8] {
        var event = ProtobufFields()
        event.double(1, wallTime)
        event.lengthDelimited(3, Array(fileVersion.utf8))
        return event.encoded
    }

    /// An event at `step` carrying `values`.
    public static func summary(wallTime: Double, step: Int, values: [Value]) -> [UInt8] {
        var summary = ProtobufFields()
        for value in values {
            var v = ProtobufFields()
            switch value {
            case let .scalar(tag, x):
                v.lengthDelimited(1, Array(tag.utf8))
                v.float(2, x)
            case let .image(tag, width, height, png):
                var image = ProtobufFields()
                image.varint(1, UInt64(height))
                image.varint(2, UInt64(width))
                image.varint(3, 3)  // RGB
                image.lengthDelimited(4, png)
                v.lengthDelimited(1, Array(tag.utf8))
                v.lengthDelimited(4, image.encoded)
            }
            summary.lengthDelimited(1, v.encoded)
        }
        var event = ProtobufFields()
        event.double(1, wallTime)
        event.varint(2, UInt64(bitPattern: Int64(step)))
        event.lengthDelimited(5, summary.encoded)
        return event.encoded
    }
}

/// Protobuf's wire format for the field kinds above: a key (field << 3 | wire type),
/// then a varint (0), 8 bytes (1), a length-prefixed run (2) or 4 bytes (5).
struct ProtobufFields {
    private(set) var encoded: [UInt8] = []

    mutating func varint(_ field: Int, _ value: UInt64) {
        key(field, 0)
        appendVarint(value)
    }

    mutating func double(_ field: Int, _ value: Double) {
        key(field, 1)
        TFRecord.appendLittleEndian(value.bitPattern, bytes: 8, to: &encoded)
    }

    mutating func float(_ field: Int, _ value: Float) {
        key(field, 5)
        TFRecord.appendLittleEndian(UInt64(value.bitPattern), bytes: 4, to: &encoded)
    }

    mutating func lengthDelimited(_ field: Int, _ value: [UInt8]) {
        key(field, 2)
        appendVarint(UInt64(value.count))
        encoded += value
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
