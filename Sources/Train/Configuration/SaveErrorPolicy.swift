/// What a failed checkpoint save does (`checkpoint.on_save_error`).
public enum SaveErrorPolicy: String, Sendable, CaseIterable {
    /// End the run with exit 86 (the default).
    case stop
    /// Log it and keep training; the next save tries again.
    case keepTraining = "continue"
}
