/// How a training run ended.
public enum RunOutcome: Equatable, Sendable {
    case finished
    /// A stop signal arrived; a checkpoint was written (or, during start-up, nothing
    /// had been trained). Exit code 85: "requeue me".
    case checkpointedOnSignal
    /// The run's last checkpoint could not be saved (disk full, permissions): the steps
    /// since the previous checkpoint are lost, whatever `on_save_error` says. Exit 86.
    case finalSaveFailed

    /// The process exit code srdist documents for this outcome.
    public var exitCode: Int32 {
        switch self {
        case .finished: return 0
        case .checkpointedOnSignal: return 85
        case .finalSaveFailed: return 86
        }
    }
}
