import Distributed
import Foundation

/// `scenario --key value ...` from the command line.
struct Arguments {
    let scenario: String?
    private var values: [String: String] = [:]

    init(_ words: ArraySlice<String>) {
        scenario = words.first
        var rest = words.dropFirst()
        while let key = rest.popFirst(), key.hasPrefix("--") {
            values[String(key.dropFirst(2))] = rest.popFirst() ?? ""
        }
    }

    func int(_ key: String, _ fallback: Int) -> Int { values[key].flatMap { Int($0) } ?? fallback }
    func double(_ key: String, _ fallback: Double) -> Double { values[key].flatMap { Double($0) } ?? fallback }
    func string(_ key: String) -> String? { values[key] }
}

/// Prints a line tagged with the rank.
func say(_ comm: Communicator, _ text: String) { print("rank \(comm.rank): \(text)") }

struct HarnessFailure: Error, LocalizedError {
    let errorDescription: String?
    init(_ message: String) { errorDescription = message }
}

/// Throws (and so aborts the job) when a check fails.
func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw HarnessFailure("check failed: \(message())") }
}
