import Checkpoint
import Distributed
import Foundation
import Support

/// A run's validations and saves. Rank 0 scores the model, records the score in the
/// metrics history and the log, and writes the checkpoint; every rank learns through
/// `rootDecides` whether the save worked, so all take the same branch after it.
final class RunCheckpoints {
    let trainer: Trainer
    let store: CheckpointStore
    let log: RunLog
    /// Step and save times against the launcher's stop budget.
    var budget: StopBudget
    /// Validation records so far (rank 0), the JSON array `RunProgress.metricsHistory` holds.
    private var history: [[String: Any]]

    init(trainer: Trainer, store: CheckpointStore, log: RunLog, resumedFrom progress: RunProgress) {
        (self.trainer, self.store, self.log) = (trainer, store, log)
        budget = StopBudget(seconds: trainer.config.checkpoint.stopBudgetSeconds)
        history = (try? JSONSerialization.jsonObject(with: Data(progress.metricsHistory.utf8))) as? [[String: Any]] ?? []
    }

    /// Validates first when `validate` (rank 0: the score goes into `progress` and the
    /// log), then saves. Returns on every rank whether the save succeeded.
    func save(_ progress: inout RunProgress, validate: Bool) throws -> Bool {
        try trainer.comm.rootDecides {
            let score = validate ? try recordValidation(&progress) : nil
            return write(progress, score: score)
        }
    }

    /// The line and exit of a save that failed at the end of the run (or mid-run with
    /// `on_save_error: stop`).
    func lastSaveFailed() -> RunOutcome {
        log.say("the run's last checkpoint was not saved: steps since the previous checkpoint are lost; "
                + "free space or fix permissions, then --resume auto (exit 86)", event: "checkpoint_error")
        return .finalSaveFailed
    }

    /// Scores the model on the validation images, appends the record to the history,
    /// keeps the best step, and logs the line and the image summaries. Returns the PSNR.
    private func recordValidation(_ progress: inout RunProgress) throws -> Double {
        let (model, bicubic, perScale) = try trainer.validate()
        history.append(["step": progress.step, "psnr": model.psnr, "ssim": model.ssim, "bicubic_psnr": bicubic.psnr])
        progress.metricsHistory = String(decoding: try JSONSerialization.data(withJSONObject: history, options: [.sortedKeys]), as: UTF8.self)
        if model.psnr > (progress.bestPSNR ?? -.infinity) { (progress.bestPSNR, progress.bestStep) = (model.psnr, progress.step) }
        let scales = perScale.count > 1
            ? " [" + perScale.keys.sorted().map { String(format: "×%d %.2f", $0, perScale[$0]!.psnr) }.joined(separator: ", ") + "]" : ""
        var fields: [String: Any] = ["step": progress.step, "psnr": model.psnr, "ssim": model.ssim, "bicubic_psnr": bicubic.psnr]
        for (s, score) in perScale { (fields["psnr_x\(s)"], fields["ssim_x\(s)"]) = (score.psnr, score.ssim) }
        log.say(String(format: "validation step %d: PSNR %.2f dB, SSIM %.4f (bicubic %.2f dB, %+.2f dB)%@%@%@", progress.step,
                       model.psnr, model.ssim, bicubic.psnr, model.psnr - bicubic.psnr, scales,
                       trainer.ema == nil ? "" : " (EMA weights)", progress.bestStep == progress.step ? " — best so far" : ""),
                event: "validation", fields: fields, record: true)
        for (s, crop) in trainer.validationCrops() { log.image(crop, tag: "validation/x\(s) bicubic | model | HR", step: progress.step) }
        return model.psnr
    }

    /// Writes the checkpoint of `progress` (rank 0); a failure is logged, not thrown.
    private func write(_ progress: RunProgress, score: Double?) -> Bool {
        do {
            let began = Date()
            let path = try store.save(trainer.checkpointContents(progress), score: score)
            log.say("checkpoint \(path)", event: "checkpoint", fields: ["step": progress.step, "path": path])
            if let warning = budget.recordSave(Date().timeIntervalSince(began)) { log.say(warning, event: "stop_budget") }
            return true
        } catch {
            log.say("checkpoint at step \(progress.step) failed: \(describe(error))", event: "checkpoint_error")
            return false
        }
    }
}
