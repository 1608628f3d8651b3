import Foundation

/// The one-line text of an error: `LocalizedError`'s description when there is one.
public func describe(_ error: Error) -> String {
    (error as? LocalizedError)?.errorDescription ?? String(describing: error)
}

/// An error whose whole report is one line for the user, naming the file, key, flag or
/// setting it is about (sometimes with a hint after " — "): what `describe` prints and
/// what the `Error:` line of a failed command says. Every target's user-facing error
/// adopts it, so all are printed the same way.
public protocol OneLineError: LocalizedError, CustomStringConvertible {
    /// The line.
    var message: String { get }
}

extension OneLineError {
    public var description: String { message }
    public var errorDescription: String? { message }
}
