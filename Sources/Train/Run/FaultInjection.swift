import Foundation
import Support

/// Test-only fault switches, read from the environment:
/// - `SRDIST_TEST_INJECT_NAN`: `RANK:STEP` or `RANK:FIRST-LAST`, comma-separated (e.g.
///   `1:3` or `0:2-6,1:9`). The trainer poisons one gradient value on that rank at those
///   steps, so tests can check that every rank skips the step together.
/// - `SRDIST_TEST_INJECT_DELAY`: `RANK:MS` or `RANK:MS@FIRST-LAST`, comma-separated (e.g.
///   `1:20` or `0:5@10-99`). That rank sleeps MS milliseconds per sample of its share
///   inside its compute time at those steps (every step without a range): a slow rank,
///   for the balanced shares' tests.
public struct FaultInjection: Equatable, Sendable {
    public static let variable = "SRDIST_TEST_INJECT_NAN"
    public static let delayVariable = "SRDIST_TEST_INJECT_DELAY"

    private var entries: [(rank: Int, steps: ClosedRange<Int>)] = []
    private var delays: [(rank: Int, milliseconds: Int, steps: ClosedRange<Int>)] = []

    public static func == (a: FaultInjection, b: FaultInjection) -> Bool {
        a.entries.elementsEqual(b.entries) { $0.rank == $1.rank && $0.steps == $1.steps }
            && a.delays.elementsEqual(b.delays) { $0.rank == $1.rank && $0.milliseconds == $1.milliseconds && $0.steps == $1.steps }
    }

    /// Parses the switches; an absent or empty variable injects nothing.
    ///
    /// - Throws: `EnvironmentError` naming the variable when its value is malformed.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        if let text = environment[Self.variable], !text.isEmpty {
            for item in text.split(separator: ",") {
                let parts = item.split(separator: ":")
                guard parts.count == 2, let rank = Int(parts[0]), let steps = Self.steps(parts[1]) else {
                    throw EnvironmentError("\(Self.variable): expected RANK:STEP or RANK:FIRST-LAST, got \"\(item)\"")
                }
                entries.append((rank, steps))
            }
        }
        if let text = environment[Self.delayVariable], !text.isEmpty {
            for item in text.split(separator: ",") {
                let parts = item.split(separator: ":"), timing = parts.count == 2 ? parts[1].split(separator: "@") : []
                guard parts.count == 2, let rank = Int(parts[0]), (1...2).contains(timing.count), let ms = Int(timing[0]), ms >= 0,
                      let steps = timing.count == 2 ? Self.steps(timing[1]) : 0...Int.max else {
                    throw EnvironmentError("\(Self.delayVariable): expected RANK:MS or RANK:MS@FIRST-LAST, got \"\(item)\"")
                }
                delays.append((rank, ms, steps))
            }
        }
    }

    /// `STEP` or `FIRST-LAST`.
    private static func steps(_ text: Substring) -> ClosedRange<Int>? {
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard [1, 2].contains(bounds.count), let first = bounds[0], let last = bounds.last!, first <= last else { return nil }
        return first...last
    }

    /// True when rank `rank` should poison its gradient at step `step`.
    public func injectsNaN(rank: Int, step: Int) -> Bool {
        entries.contains { $0.rank == rank && $0.steps.contains(step) }
    }

    /// Milliseconds rank `rank` sleeps per sample at step `step`.
    public func delay(rank: Int, step: Int) -> Int {
        delays.filter { $0.rank == rank && $0.steps.contains(step) }.map(\.milliseconds).reduce(0, +)
    }
}

/// A malformed srdist environment variable; the message names the variable.
public struct EnvironmentError: OneLineError {
    public let message: String
    init(_ message: String) { self.message = message }
}
