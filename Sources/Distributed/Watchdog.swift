import Foundation

/// Notices a blocking collective that has not completed in time — a rank died without
/// the launcher noticing, stopped, or took another path — and ends the job naming the
/// rank(s) that did not arrive, the step and the collective, instead of hanging forever.
///
/// A background thread sleeps until the armed collective's deadline. Arming and
/// disarming take a lock and signal a condition: cheap next to any collective. With a
/// `RollCall`, a collective still running after `pollInterval` makes the thread answer
/// other ranks' roll calls; at the deadline it holds its own (`graceSeconds`) and the
/// lowest waiting rank reports who is missing.
public final class Watchdog: @unchecked Sendable {
    /// Seconds a collective may take before the job is aborted.
    public let timeout: Double

    private let condition = NSCondition()
    private var armedAt: Date?
    private var collective = ""
    private var members: [Int] = []
    private var currentStep = 0
    private let rollCall: RollCall?
    private let onExpiry: (String) -> Void

    /// How soon a running collective starts answering roll calls, and how long a roll call waits.
    var pollInterval: Double { min(1, timeout / 4) }
    var graceSeconds: Double { 3 * pollInterval + 0.5 }

    /// Starts the watching thread.
    ///
    /// - Parameters:
    ///   - timeout: seconds before a collective counts as stalled (srdist's default 600).
    ///   - rollCall: how to ask the other ranks where they are (nil: report this rank only).
    ///   - onExpiry: receives the message; it must end the process (`Communicator.abort`).
    init(timeout: Double, rollCall: RollCall?, onExpiry: @escaping (String) -> Void) {
        precondition(timeout > 0, "Watchdog: timeout must be positive")
        (self.timeout, self.rollCall, self.onExpiry) = (timeout, rollCall, onExpiry)
        // The thread keeps the watchdog alive: it lives as long as the process.
        let thread = Thread { [self] in watch() }
        thread.name = "srdist-watchdog"
        thread.start()
    }

    /// A watchdog without roll calls (single-process use and tests).
    public convenience init(timeout: Double, onExpiry: @escaping (String) -> Void) {
        self.init(timeout: timeout, rollCall: nil, onExpiry: onExpiry)
    }

    /// The training step reported in the abort message.
    public var step: Int {
        get { condition.lock(); defer { condition.unlock() }; return currentStep }
        set { condition.lock(); currentStep = newValue; condition.unlock() }
    }

    /// Starts the clock for `name`, a collective over the world ranks `members`.
    public func arm(_ name: String, members: [Int] = []) {
        condition.lock()
        (armedAt, collective, self.members) = (Date(), name, members)
        condition.signal()
        condition.unlock()
    }

    /// Stops the clock: the collective completed.
    public func disarm() {
        condition.lock()
        armedAt = nil
        condition.unlock()
    }

    private func watch() {
        condition.lock()
        while true {
            guard let since = armedAt else { condition.wait(); continue }
            let now = Date(), deadline = since.addingTimeInterval(timeout)
            let state = "\(currentStep)|\(collective)", (name, step, group) = (collective, currentStep, members)
            if now >= deadline {
                condition.unlock()
                let report = rollCall.map { roll(name, step: step, members: group, state: state, rollCall: $0) }
                condition.lock()
                // The collective may have completed during the roll call: keep watching.
                guard armedAt == since else { continue }
                condition.unlock()
                if let report, !report.reports { Thread.sleep(forTimeInterval: 2 * graceSeconds) }
                onExpiry(report?.message ?? "watchdog: \(name) at step \(step) has not completed after \(formatSeconds(timeout)) s; aborting the job")
                return
            }
            if let rollCall, now.timeIntervalSince(since) >= pollInterval {
                condition.unlock()
                rollCall.answer(state)
                condition.lock()
            }
            _ = condition.wait(until: min(deadline, now.addingTimeInterval(pollInterval)))
        }
    }

    /// Asks the collective's other ranks where they are and words the abort message;
    /// `reports` is true on the lowest waiting rank, which aborts first (the others
    /// wait, so the job prints one message).
    private func roll(_ name: String, step: Int, members: [Int], state: String, rollCall: RollCall) -> (message: String, reports: Bool) {
        let replies = rollCall.ask(members, state: state, seconds: graceSeconds)
        var waiting = [rollCall.rank], elsewhere: [String] = []
        for (rank, text) in replies.sorted(by: { $0.key < $1.key }) {
            if text == state { waiting.append(rank); continue }
            let parts = text.split(separator: "|", maxSplits: 1)
            elsewhere.append("rank \(rank) is in \(parts.last ?? "") at step \(parts.first ?? "?")")
        }
        waiting.sort()
        let missing = members.filter { $0 != rollCall.rank && replies[$0] == nil }
        var what = missing.isEmpty ? [] : ["\(ranks(missing)) did not arrive"]
        what += elsewhere
        let message = "watchdog: \(name) at step \(step) has not completed after \(formatSeconds(timeout)) s: "
            + (what.isEmpty ? "every rank is waiting in it" : what.joined(separator: "; "))
            + " (\(ranks(waiting)) waiting in it); aborting the job"
        return (message, waiting.first == rollCall.rank)
    }
}

/// "rank 2" or "ranks 0, 1, 3".
private func ranks(_ list: [Int]) -> String {
    (list.count == 1 ? "rank " : "ranks ") + list.map(String.init).joined(separator: ", ")
}

extension Communicator {
    /// Watches this communicator's blocking collectives from now on; a stall aborts the
    /// job through `abort(message:code:)`. Needs `ThreadLevel.multiple`: the abort
    /// comes from the watchdog's thread while the main thread is inside MPI.
    @discardableResult
    public func startWatchdog(timeout: Double) -> Watchdog {
        precondition(threadLevel == .multiple, "startWatchdog needs MPI initialised with ThreadLevel.multiple")
        // Without a duplicate communicator the watchdog still aborts, naming only itself.
        let rollCall = size > 1 ? try? RollCall(world: self) : nil
        let dog = Watchdog(timeout: timeout, rollCall: rollCall) { [unowned self] message in abort(message: message, code: 3) }
        watchdog = dog
        return dog
    }
}

func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? String(Int(s)) : String(format: "%.2f", s)
}
