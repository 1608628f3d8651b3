import Foundation
import Support

/// An ONNX file srdist cannot read or that does not match what it was checked
/// against: one line naming the file and what is wrong.
public struct ONNXError: OneLineError {
    public let message: String
    public init(_ message: String) { self.message = message }
}
