import Foundation

/// A flag value or path the command refuses (out of range, or an output that would
/// replace an input): printed as one `Error:` line, exit status 1, no usage text.
struct CommandLineError: Error, LocalizedError, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
    var errorDescription: String? { description }
}
