import Foundation

/// Notices a blocking collective that has not completed in time — a rank died without
/// the launcher noticing, or one rank took another path — and ends the job with the
/// rank, the step and the collective instead of hanging forever.
///
/// A background thread sleeps until the armed collective's deadline. Arming and
/// disarming take a lock and signal a condition: cheap next to any collective.
public final class Watchdog: @unchecked Sendable {
    /// Seconds a collective may take before the job is aborted.
    public let timeout: Double

    private let condition = NSCondition()
    private var armedAt: Date?
    private var collective = ""
    private var currentStep = 0
    private let onExpiry: (String) -> Void

    /// Starts the watching thread.
    ///
    /// - Parameters:
    ///   - timeout: seconds before a collective counts as stalled (srdist's default 600).
    ///   - onExpiry: receives the message; it must end the process (`Communicator.abort`).
    public init(timeout: Double, onExpiry: @escaping (String) -> Void) {
        precondition(timeout > 0, "Watchdog: timeout must be positive")
        self.timeout = timeout
        self.onExpiry = onExpiry
        // The thread keeps the watchdog alive: it lives as long as the process.
        let thread = Thread { [self] in watch() }
        thread.name = "srdist-watchdog"
        thread.start()
    }

    /// The training step reported in the abort message.
    public var step: Int {
        get { condition.lock(); defer { condition.unlock() }; return currentStep }
        set { condition.lock(); currentStep = newValue; condition.unlock() }
    }

    /// Starts the clock for `name`.
    public func arm(_ name: String) {
        condition.lock()
        (armedAt, collective) = (Date(), name)
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
            let deadline = since.addingTimeInterval(timeout)
            if Date() < deadline { _ = condition.wait(until: deadline); continue }
            let message = "watchdog: \(collective) at step \(currentStep) has not completed after \(formatSeconds(timeout)) s; aborting the job"
            condition.unlock()
            onExpiry(message)
            return
        }
    }
}

extension Communicator {
    /// Watches this communicator's blocking collectives from now on; a stall aborts the
    /// job through `abort(message:code:)`. Needs `ThreadLevel.multiple`: the abort
    /// comes from the watchdog's thread while the main thread is inside MPI.
    @discardableResult
    public func startWatchdog(timeout: Double) -> Watchdog {
        precondition(threadLevel == .multiple, "startWatchdog needs MPI initialised with ThreadLevel.multiple")
        let dog = Watchdog(timeout: timeout) { [unowned self] message in abort(message: message, code: 3) }
        watchdog = dog
        return dog
    }
}

func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? String(Int(s)) : String(format: "%.2f", s)
}
