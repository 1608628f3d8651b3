import Foundation

/// An ONNX file srdist cannot read or that does not match what it was checked
/// against: one line naming the file and what is wrong.
public struct ONNXError: Error, CustomStringConvertible, LocalizedError {
    public let description: String
    public init(_ message: String) { description = message }
    public var errorDescription: String? { description }
}
