import CMPI
import Foundation

/// A failed MPI call: the function's name and Open MPI's text for the error code.
public struct MPIError: LocalizedError, CustomStringConvertible {
    public let function: String
    public let code: Int32
    public let message: String

    public var description: String { "\(function) failed: \(message) (MPI error \(code))" }
    public var errorDescription: String? { description }
}

/// The one door to MPI: runs an MPI call and turns a non-success code into `MPIError`.
/// Communicators are switched to MPI_ERRORS_RETURN at creation, so errors come back as
/// codes here instead of Open MPI's default handler ending the job without a word.
@inline(__always)
func check(_ function: String, _ code: Int32) throws {
    if code != MPI_SUCCESS { throw MPIError(function: function, code: code, message: errorString(code)) }
}

/// Open MPI's description of an error code.
func errorString(_ code: Int32) -> String {
    var text = [CChar](repeating: 0, count: 512)  // ≥ MPI_MAX_ERROR_STRING (256), a macro Swift cannot read
    var length: Int32 = 0
    guard MPI_Error_string(code, &text, &length) == MPI_SUCCESS else { return "unknown error" }
    return String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
