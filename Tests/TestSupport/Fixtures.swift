import Foundation

/// A tensor stored in a JSON fixture: `{"shape": [...], "data": [flat, row-major]}`.
/// The reference scripts write each float32 as the shortest decimal that reads back
/// as the same Float through a Double, so `floats` is exact.
public struct FixtureTensor: Decodable, Sendable {
    public let shape: [Int]
    public let data: [Double]

    public var floats: [Float] { data.map { Float($0) } }
}

/// Decodes the JSON fixture `name` from the `Fixtures` folder beside the calling test
/// file (pass `#filePath`), so tests find their data without Package.swift resources.
public func loadFixture<T: Decodable>(_ type: T.Type, named name: String, besides filePath: String = #filePath) throws -> T {
    let url = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(name)
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
}

/// Largest absolute difference between `a` and `b` divided by the largest |b|: an error
/// relative to the tensor's scale, so elements near zero do not dominate.
public func relativeMaxError(_ a: UnsafeBufferPointer<Float>, _ b: [Float]) -> Double {
    precondition(a.count == b.count, "relativeMaxError: \(a.count) vs \(b.count) elements")
    var diff = 0.0, scale = 0.0
    for i in 0..<b.count {
        diff = max(diff, abs(Double(a[i]) - Double(b[i])))
        scale = max(scale, abs(Double(b[i])))
    }
    return scale == 0 ? diff : diff / scale
}
