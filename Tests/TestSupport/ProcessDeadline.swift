import Foundation

/// Time bounds for the processes tests start: a regression that hangs a child makes its
/// test fail (on the exit status or the time taken) instead of hanging the suite.
extension Process {
    /// Waits at most `seconds` for the process to end; past that it gets SIGTERM (a
    /// launcher script passes it on to its ranks) and, 10 s later, SIGKILL. Returns the
    /// seconds waited, for tests that bound how soon it must end.
    @discardableResult
    public func waitUntilExit(within seconds: Double) -> Double {
        let began = Date()
        while isRunning && Date().timeIntervalSince(began) < seconds { usleep(20_000) }
        if isRunning {
            terminate()
            let grace = Date().addingTimeInterval(10)
            while isRunning && Date() < grace { usleep(20_000) }
            if isRunning { Foundation.kill(processIdentifier, SIGKILL) }
        }
        waitUntilExit()
        return Date().timeIntervalSince(began)
    }

    /// SIGKILLs the process if it still runs `seconds` from now: bounds the reads of its
    /// pipes to their end, which return only when it exits.
    public func kill(after seconds: Double) {
        let pid = processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [weak self] in
            if self?.isRunning == true { Foundation.kill(pid, SIGKILL) }
        }
    }
}
