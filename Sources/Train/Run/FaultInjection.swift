import Foundation
import Support

/// Test-only fault switch, read from the environment variable `SRDIST_TEST_INJECT_NAN`:
/// `RANK:STEP` or `RANK:FIRST-LAST`, comma-separated (e.g. `1:3` or `0:2-6,1:9`). The
/// trainer poisons one gradient value on that rank at those steps, so tests can check
/// that every rank skips the step together.
public struct FaultInjection: Equatable, Sendable {
    public static let variable = "SRDIST_TEST_INJECT_NAN"

    private var entries: [(rank: Int, steps: ClosedRange<Int>)] = []

    public static func == (a: FaultInjection, b: FaultInjection) -> Bool {
        a.entries.elementsEqual(b.entries) { $0.rank == $1.rank && $0.steps == $1.steps }
    }

    /// Parses the switch; an absent or empty variable injects nothing.
    ///
    /// - Throws: `EnvironmentError` naming the variable when its value is malformed.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let text = environment[Self.variable], !text.isEmpty else { return }
        for item in text.split(separator: ",") {
            let parts = item.split(separator: ":")
            let bounds = parts.count == 2 ? parts[1].split(separator: "-").compactMap { Int($0) } : []
            guard parts.count == 2, let rank = Int(parts[0]), [1, 2].contains(bounds.count),
                  bounds.count == parts[1].split(separator: "-").count, bounds[0] <= bounds.last! else {
                throw EnvironmentError("\(Self.variable): expected RANK:STEP or RANK:FIRST-LAST, got \"\(item)\"")
            }
            entries.append((rank, bounds[0]...bounds.last!))
        }
    }

    /// True when rank `rank` should poison its gradient at step `step`.
    public func injectsNaN(rank: Int, step: Int) -> Bool {
        entries.contains { $0.rank == rank && $0.steps.contains(step) }
    }
}

/// A malformed srdist environment variable; the message names the variable.
public struct EnvironmentError: OneLineError {
    public let message: String
    init(_ message: String) { self.message = message }
}
