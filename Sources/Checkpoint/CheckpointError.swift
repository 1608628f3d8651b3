import Foundation

/// A checkpoint problem for the user: one line naming the file and what is wrong with
/// it, sometimes followed by a hint after " — " (still one line).
public struct CheckpointError: Error, CustomStringConvertible, LocalizedError {
    public let description: String
    public init(_ message: String) { description = message }
    public var errorDescription: String? { description }
}
