import Distributed
import Foundation

/// The numbers behind the progress line: running-mean loss and gradient norm (before
/// clipping), throughput, and the
/// shares of time spent waiting for data and for gradient communication since the
/// previous line (validations in between excluded), plus an ETA: the run's average step time (validations excluded)
/// times the steps left, plus the last validation's time times the validations left.
final class ProgressMeter {
    let trainer: Trainer
    let startStep: Int
    let startTime = Date()
    var windowStart = Date()
    var lossSum = 0.0, lossCount = 0, normSum = 0.0
    var dataWaitMark: Double, commMark: Double
    /// Wall time of this process's validations so far, and of the last complete one.
    var validationTime = 0.0, lastValidation: Double?
    /// Validation time since the previous line, which its rates leave out.
    var windowValidation = 0.0

    init(trainer: Trainer, start: Int) {
        (self.trainer, startStep) = (trainer, start)
        (dataWaitMark, commMark) = (trainer.data.dataWait, trainer.exposedCommunication)
    }

    func record(_ decision: StepDecision) {
        guard decision.apply else { return }
        lossSum += decision.loss
        normSum += trainer.gradientNorm
        lossCount += 1
    }

    func recordValidation(seconds: Double, complete: Bool) {
        validationTime += seconds
        windowValidation += seconds
        if complete { lastValidation = seconds }
    }

    /// Validations still to come after `step`: every `eval_every` steps and at the end.
    func validationsLeft(after step: Int) -> Int {
        let (every, steps) = (trainer.config.train.evalEvery, trainer.config.train.steps)
        let periodic = every > 0 ? (steps - 1) / every - step / every : 0
        return max(0, periodic) + (step < steps ? 1 : 0)
    }

    func line(step: Int, now: Date = Date()) -> (text: String, fields: [String: Any]) {
        let cfg = trainer.config
        let elapsed = max(now.timeIntervalSince(windowStart) - windowValidation, 1e-9)
        let steps = max(lossCount, 1)
        let loss = lossSum / Double(steps), gradNorm = normSum / Double(steps)
        let lr = cfg.train.lrSchedule.rate(base: cfg.train.lr, step: step - 1)
        let patches = Double(lossCount * cfg.train.batchSize) / elapsed
        let dataShare = (trainer.data.dataWait - dataWaitMark) / elapsed
        let commShare = (trainer.exposedCommunication - commMark) / elapsed
        let perStep = (now.timeIntervalSince(startTime) - validationTime) / Double(max(step - startStep, 1))
        let validationETA = (lastValidation ?? 0) * Double(validationsLeft(after: step))
        let eta = perStep * Double(cfg.train.steps - step) + validationETA
        // Before the first validation its cost is unknown: said, not guessed.
        let unmeasured = lastValidation == nil && validationsLeft(after: step) > 0 ? " + validation" : ""
        // The spread of the last step's shares, when they may differ by more than one.
        let counts = trainer.shareCounts(step: max(step - 1, 0))
        let spread = cfg.distributed.balance.mode == .equal ? "" : "  shares \(counts.min()!)–\(counts.max()!)"
        let text = String(format: "step %d/%d  %@  loss %.4f  lr %.2e  grad norm %.3g  %.1f patches/s  data wait %.1f%%  comm %.1f%%%@  ETA %@%@",
                          step, cfg.train.steps, trainer.stage, loss, lr, gradNorm, patches, 100 * dataShare, 100 * commShare,
                          spread, duration(eta), unmeasured)
        (windowStart, windowValidation, lossSum, lossCount, normSum) = (now, 0, 0, 0, 0)
        (dataWaitMark, commMark) = (trainer.data.dataWait, trainer.exposedCommunication)
        return (text, ["step": step, "steps": cfg.train.steps, "stage": trainer.stage, "scales": trainer.stepsPerScale.keys.sorted(), "loss": loss,
                       "lr": Double(lr), "grad_norm": gradNorm, "patches_per_second": patches, "data_wait": dataShare, "comm_exposed": commShare,
                       "eta_seconds": eta, "eta_validation_seconds": validationETA, "shares": counts,
                       "compute_seconds_per_step": trainer.computeReport])
    }

    func summary(step: Int) -> String {
        let total = Date().timeIntervalSince(startTime)
        let perScale = trainer.stepsPerScale.count > 1
            ? ", steps per scale " + trainer.stepsPerScale.keys.sorted().map { "×\($0): \(trainer.stepsPerScale[$0]!)" }.joined(separator: " ")
            : ""
        return String(format: "done: %d steps in %@ (%.2f s/step), %d skipped, exposed communication %.1f s, data wait %.1f s%@",
                      step - startStep, duration(total), total / Double(max(step - startStep, 1)), trainer.skippedSteps,
                      trainer.exposedCommunication, trainer.data.dataWait, perScale)
    }
}

/// 3h04m, 12m05s, 42s.
public func duration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
    if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return "\(s)s"
}
