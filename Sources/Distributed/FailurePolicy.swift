import Foundation

/// An error every rank throws alike (decided by rank 0 and broadcast, or by a
/// collective): rank 0 prints it once and all ranks exit normally, instead of each
/// rank aborting the job with its own copy.
public struct CollectiveError: Error, LocalizedError, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
    public var errorDescription: String? { description }
}
