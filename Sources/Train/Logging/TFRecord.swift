import Support

/// TensorFlow's record framing, the container of TensorBoard event files:
///
///     uint64 length (little-endian)   uint32 masked CRC-32C of those 8 bytes
///     length bytes of data            uint32 masked CRC-32C of the data
///
/// Written here rather than through a TensorFlow or protobuf dependency: the format
/// is these few lines (tensorflow/core/lib/io/record_writer.cc).
public enum TFRecord {
    /// One framed record holding `data`.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var length = [UInt8]()
        appendLittleEndian(UInt64(data.count), bytes: 8, to: &length)
        var out = length
        appendLittleEndian(UInt64(maskedCRC(length)), bytes: 4, to: &out)
        out += data
        appendLittleEndian(UInt64(maskedCRC(data)), bytes: 4, to: &out)
        return out
    }

    /// The CRC TFRecord stores: CRC-32C rotated right by 15 bits plus a constant, so a
    /// CRC of data that itself holds CRCs stays well distributed.
    public static func maskedCRC(_ data: [UInt8]) -> UInt32 {
        let crc = crc32c(data)
        return ((crc >> 15) | (crc << 17)) &+ 0xa282_ead8
    }

    /// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven.
    public static func crc32c(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in data { crc = table[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8) }
        return ~crc
    }

    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0x82f6_3b78 ^ (c >> 1) : c >> 1 }
        return c
    }
}
