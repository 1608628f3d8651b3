import Foundation
import Support

/// A flag value or path the command refuses (out of range, or an output that would
/// replace an input): printed as one `Error:` line, exit status 1, no usage text.
struct CommandLineError: OneLineError {
    let message: String
    init(_ message: String) { self.message = message }
}
