import Foundation

/// The one-line text of an error: `LocalizedError`'s description when there is one.
public func describe(_ error: Error) -> String {
    (error as? LocalizedError)?.errorDescription ?? String(describing: error)
}
