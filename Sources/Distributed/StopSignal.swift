import Foundation

/// Turns stop signals into a flag the training loop passes to `StepAgreement`, so a
/// signal on any rank stops every rank after the same step (and a checkpoint can be
/// written) instead of killing one rank mid-collective.
///
/// Under mpirun use SIGUSR1 (`kill -USR1 <mpirun pid>`): mpirun forwards it to every
/// rank, while SIGTERM/SIGINT make mpirun kill the job itself.
public enum StopSignal {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    /// Whether a stop signal has arrived since `install`.
    public static var received: Bool { flag != 0 }

    /// Installs the handlers (idempotent). SIGUSR1 and SIGTERM ask for a checkpoint
    /// and a clean stop; so does a first SIGINT (Ctrl-C), while a second one ends the
    /// process at once (exit 130) for a user who will not wait for the step to end.
    public static func install(_ signals: [Int32] = [SIGUSR1, SIGTERM, SIGINT]) {
        flag = 0  // touch the static here, so the handler never runs its lazy initialiser
        for s in signals {
            if s == SIGINT {
                signal(s) { _ in
                    if StopSignal.flag != 0 { _exit(130) }
                    StopSignal.flag = 1
                }
            } else {
                signal(s) { _ in StopSignal.flag = 1 }
            }
        }
    }
}
