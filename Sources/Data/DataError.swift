import Foundation

/// A problem with the training data the user can fix: a missing, truncated or
/// mismatched image, an empty folder, a bad cache file. The message is one line
/// and starts with the path it is about.
public struct DataError: Error, CustomStringConvertible, LocalizedError {
    public let description: String
    public init(_ message: String) { description = message }
    public var errorDescription: String? { description }
}
