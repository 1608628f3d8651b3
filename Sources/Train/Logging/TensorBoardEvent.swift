import Support

/// The few protobuf messages of a TensorBoard event file, encoded by hand
/// (tensorboard/compat/proto/event.proto and summary.proto):
///
///     Event          wall_time = 1 (double), step = 2 (int64), file_version = 3 (string),
///                    summary = 5 (Summary)
///     Summary        value = 1 (repeated Value)
///     Summary.Value  tag = 1 (string), simple_value = 2 (float), image = 4 (Image)
///     Summary.Image  height = 1, width = 2, colorspace = 3 (int32),
///                    encoded_image_string = 4 (bytes, PNG)
///
/// `ProtobufWriter` (Support) encodes them, as it does ONNX models.
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
        var event = ProtobufWriter()
        event.double(1, wallTime)
        event.string(3, fileVersion)
        return event.encoded
    }

    /// An event at `step` carrying `values`.
    public static func summary(wallTime: Double, step: Int, values: [Value]) -> [UInt8] {
        var summary = ProtobufWriter()
        for value in values {
            var v = ProtobufWriter()
            switch value {
            case let .scalar(tag, x):
                v.string(1, tag)
                v.float(2, x)
            case let .image(tag, width, height, png):
                var image = ProtobufWriter()
                image.varint(1, UInt64(height))
                image.varint(2, UInt64(width))
                image.varint(3, 3)  // RGB
                image.lengthDelimited(4, png)
                v.string(1, tag)
                v.message(4, image)
            }
            summary.message(1, v)
        }
        var event = ProtobufWriter()
        event.double(1, wallTime)
        event.int64(2, step)
        event.message(5, summary)
        return event.encoded
    }
}
