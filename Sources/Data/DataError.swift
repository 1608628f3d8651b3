import Foundation
import Support

/// A problem with the training data the user can fix: a missing, truncated or
/// mismatched image, an empty folder, a bad cache file. The message is one line
/// and starts with the path it is about.
public struct DataError: OneLineError {
    public let message: String
    public init(_ message: String) { self.message = message }
}
