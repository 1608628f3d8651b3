import Foundation

/// A tensor of a PyTorch reference fixture (tools/reference): `{"shape", "data"}` with
/// the values as JSON numbers, or `{"shape", "base64"}` with little-endian float32
/// bytes, which keeps float32 values bit-exact in half the space of decimal text.
public struct ReferenceTensor: Decodable {
    public let shape: [Int]
    public let values: [Float]

    enum CodingKeys: String, CodingKey { case shape, data, base64 }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        shape = try c.decode([Int].self, forKey: .shape)
        if let text = try c.decodeIfPresent(String.self, forKey: .base64) {
            guard let bytes = Data(base64Encoded: text), bytes.count % 4 == 0 else {
                throw DecodingError.dataCorruptedError(forKey: .base64, in: c, debugDescription: "not base64 float32")
            }
            values = bytes.withUnsafeBytes { raw in
                (0..<raw.count / 4).map {
                    Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
                }
            }
        } else {
            values = try c.decode([Float].self, forKey: .data)
        }
        guard values.count == shape.reduce(1, *) else {
            throw DecodingError.dataCorruptedError(forKey: .shape, in: c,
                                                   debugDescription: "\(values.count) values for shape \(shape)")
        }
    }
}
