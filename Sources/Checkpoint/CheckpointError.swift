import Foundation
import Support

/// A checkpoint problem for the user: one line naming the file and what is wrong with
/// it, sometimes followed by a hint after " — " (still one line).
public struct CheckpointError: OneLineError {
    public let message: String
    public init(_ message: String) { self.message = message }
}
