import Foundation

/// Watches whether a stop signal leaves enough time: after a signal the ranks finish
/// the current step and save, and the launcher (Slurm's `--signal` lead or `KillWait`,
/// mpirun's `odls_base_sigkill_timeout`) kills them `checkpoint.stop_budget_seconds`
/// later. Warns once when the slowest step plus the slowest save exceed the budget.
struct StopBudget {
    let seconds: Double
    private(set) var slowestStep = 0.0, slowestSave = 0.0, slowestValidationImage = 0.0
    private var warned = false

    init(seconds: Double) { self.seconds = seconds }

    mutating func recordStep(_ s: Double) { slowestStep = max(slowestStep, s) }

    /// Records the mean time of one image in a validation (shared over the ranks).
    mutating func recordValidationImage(_ s: Double) { slowestValidationImage = max(slowestValidationImage, s) }

    /// Records a save's duration; returns the warning, once, when step + save exceed the budget.
    mutating func recordSave(_ s: Double) -> String? {
        slowestSave = max(slowestSave, s)
        guard !warned, slowestStep + slowestValidationImage + slowestSave > seconds else { return nil }
        warned = true
        return String(format: "warning: a step (%.1f s), a validation image (%.1f s) and a checkpoint save (%.1f s) take longer than "
                      + "checkpoint.stop_budget_seconds (%g s): after a stop signal the launcher may kill the run before its checkpoint "
                      + "is written; raise the budget and the launcher's (Slurm --signal lead or KillWait, mpirun --mca "
                      + "odls_base_sigkill_timeout), or lower train.validation_tile",
                      slowestStep, slowestValidationImage, slowestSave, seconds)
    }
}
