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
        // What has not run yet (no step before a stage's first validation) is left out.
        let parts = [("a step", slowestStep), ("a validation image", slowestValidationImage), ("a checkpoint save", slowestSave)]
            .filter { $0.1 > 0 }.map { String(format: "%@ (%.1f s)", $0.0, $0.1) }
        let list = parts.count > 1 ? parts.dropLast().joined(separator: ", ") + " and " + parts.last! : parts.joined()
        return String(format: "warning: %@ take%@ longer than checkpoint.stop_budget_seconds (%g s): after a stop signal the "
                      + "launcher may kill the run before its checkpoint is written; raise the budget and the launcher's (Slurm "
                      + "--signal lead or KillWait, mpirun --mca odls_base_sigkill_timeout), or lower train.validation_tile",
                      list, parts.count > 1 ? "" : "s", seconds)
    }
}
