import Checkpoint
import Distributed
import Foundation
import Support

/// A run's validations and saves. Every rank of the group shares each validation
/// (`Trainer.validate`); rank 0 records the score in the metrics history and the log
/// and writes the checkpoint; every rank learns through `rootDecides` whether the save
/// worked, so all take the same branch after it.
final class RunCheckpoints {
    let trainer: Trainer
    let store: CheckpointStore
    let log: RunLog
    let meter: ProgressMeter
    /// Step and save times against the launcher's stop budget.
    var budget: StopBudget
    /// Set on every rank when a stop signal arrived during the last save's validation:
    /// the run exits with the checkpoint just written.
    private(set) var stopAfterSave = false
    /// Validation records so far (rank 0), the JSON array `RunProgress.metricsHistory` holds.
    private var history: [[String: Any]]
    /// Test switch `SRDIST_TEST_SIGNAL_IN_VALIDATION=STEP`: rank 0 sends itself SIGUSR1
    /// as the validation of that step begins, so tests reach the abandonment path
    /// through the real handler without racing a validation's timing.
    private let signalAtValidation = ProcessInfo.processInfo.environment["SRDIST_TEST_SIGNAL_IN_VALIDATION"].flatMap { Int($0) }

    init(trainer: Trainer, store: CheckpointStore, log: RunLog, meter: ProgressMeter, resumedFrom progress: RunProgress) {
        (self.trainer, self.store, self.log, self.meter) = (trainer, store, log, meter)
        budget = StopBudget(seconds: trainer.config.checkpoint.stopBudgetSeconds)
        history = (try? JSONSerialization.jsonObject(with: Data(progress.metricsHistory.utf8))) as? [[String: Any]] ?? []
    }

    /// Validates first when `validate` (on every rank; rank 0 puts the score into
    /// `progress` and the log), then saves. Returns on every rank whether the save
    /// succeeded. A stop signal during the validation abandons it at the next image:
    /// the checkpoint is saved without a score and `stopAfterSave` is set; a signal that
    /// arrives after its last image lets it finish and sets `stopAfterSave` too.
    func save(_ progress: inout RunProgress, validate: Bool) throws -> Bool {
        var validation: Validation?
        if validate {
            let began = Date()
            if trainer.comm.rank == 0 && signalAtValidation == progress.step { kill(getpid(), SIGUSR1) }
            do {
                // A long validation says how far it is, every 30 s.
                var said = began
                let step = progress.step
                validation = try trainer.validate(stop: { StopSignal.received }) { done, total in
                    guard Date().timeIntervalSince(said) >= 30, done < total else { return }
                    said = Date()
                    let elapsed = said.timeIntervalSince(began)
                    self.log.say("validation step \(step): \(done)/\(total) images in \(duration(elapsed)), ETA "
                                 + duration(elapsed / Double(done) * Double(total - done)), event: "validation_progress")
                }
            } catch let error as NonFiniteOutput {
                log.say("validation of step \(progress.step) failed: \(describe(error)); the checkpoint is saved without a score",
                        event: "validation_error")
            } catch is EvaluationStopped {
                log.say("stop signal during the validation of step \(progress.step): validation abandoned after "
                        + "\(duration(Date().timeIntervalSince(began))); saving the checkpoint without it", event: "signal")
            }
            meter.recordValidation(seconds: Date().timeIntervalSince(began), complete: validation != nil)
            budget.recordValidationImage(validation.map { $0.seconds / Double(max($0.imageCount, 1)) } ?? 0)
            stopAfterSave = try trainer.comm.allreduce([StopSignal.received ? 1 : 0] as [Int32], .max)[0] == 1
        }
        return try trainer.comm.rootDecides {
            let score = try validation.map { try recordValidation(&progress, $0) }
            return write(progress, score: score)
        }
    }

    /// Whether the metrics history holds a validation of `step`: rank 0's answer, on every rank.
    func validated(step: Int) throws -> Bool {
        try trainer.comm.rootDecides { history.contains { ($0["step"] as? Int) == step } }
    }

    /// The line and exit of a save that failed at the end of the run (or mid-run with
    /// `on_save_error: stop`).
    func lastSaveFailed() -> RunOutcome {
        log.say("the run's last checkpoint was not saved: steps since the previous checkpoint are lost; "
                + "free space or fix permissions, then --resume auto (exit 86)", event: "checkpoint_error")
        return .finalSaveFailed
    }

    /// Appends `v` to the history, keeps the best step, and logs the line (with its
    /// time and ranks) and the image summaries. Returns the PSNR.
    private func recordValidation(_ progress: inout RunProgress, _ v: Validation) throws -> Double {
        let images = trainer.config.model.scales.flatMap { s in
            v.images[s]!.map { ["scale": s, "name": $0.name, "psnr": $0.model.psnr, "ssim": $0.model.ssim, "bicubic_psnr": $0.bicubic.psnr] as [String: Any] }
        }
        history.append(["step": progress.step, "psnr": v.model.psnr, "ssim": v.model.ssim, "bicubic_psnr": v.bicubic.psnr])
        progress.metricsHistory = String(decoding: try JSONSerialization.data(withJSONObject: history, options: [.sortedKeys]), as: UTF8.self)
        if v.model.psnr > (progress.bestPSNR ?? -.infinity) { (progress.bestPSNR, progress.bestStep) = (v.model.psnr, progress.step) }
        let scales = v.perScale.count > 1
            ? " [" + v.perScale.keys.sorted().map { String(format: "×%d %.2f", $0, v.perScale[$0]!.psnr) }.joined(separator: ", ") + "]" : ""
        var fields: [String: Any] = ["step": progress.step, "psnr": v.model.psnr, "ssim": v.model.ssim, "bicubic_psnr": v.bicubic.psnr,
                                     "seconds": v.seconds, "ranks": v.ranks, "group_ranks": v.groupRanks, "images": images,
                                     "peak_rss_before_mb": v.peakRSSBefore, "peak_rss_mb": v.peakRSS]
        for (s, score) in v.perScale { (fields["psnr_x\(s)"], fields["ssim_x\(s)"]) = (score.psnr, score.ssim) }
        log.say(String(format: "validation step %d: PSNR %.2f dB, SSIM %.4f (bicubic %.2f dB, %+.2f dB)%@%@%@ — %d image%@ in %@ on %@",
                       progress.step, v.model.psnr, v.model.ssim, v.bicubic.psnr, v.model.psnr - v.bicubic.psnr, scales,
                       trainer.ema == nil ? "" : " (EMA weights)", progress.bestStep == progress.step ? " — best so far" : "",
                       v.imageCount, v.imageCount == 1 ? "" : "s", duration(v.seconds),
                       v.ranks == v.groupRanks ? "\(v.ranks) rank\(v.ranks == 1 ? "" : "s")" : "\(v.ranks) of \(v.groupRanks) ranks"),
                event: "validation", fields: fields, record: true)
        for (s, crop) in trainer.validationCrops() { log.image(crop, tag: "validation/x\(s) bicubic | model | HR", step: progress.step) }
        return v.model.psnr
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
