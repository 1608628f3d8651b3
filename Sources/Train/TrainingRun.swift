import Checkpoint
import Data
import Distributed
import Foundation
import Kernels
import Machine
import Support

/// A whole training run on every rank: run folder, agreement, resume or init_from,
/// the step loop with progress lines, validation and checkpoints, and the agreed stop.
/// Every branch that involves a collective is taken by all ranks together.
public func train(_ config: Config, options: RunOptions, comm: Communicator) throws -> RunOutcome {
    let root = comm.rank == 0
    let checkpointDir = (config.runDir as NSString).appendingPathComponent("checkpoints")
    let store = CheckpointStore(directory: checkpointDir, keepLast: config.checkpoint.keepLast, keepBest: config.checkpoint.keepBest)
    // Rank 0 claims the run folder first, so a second run is refused before it loads any data.
    let limits = CheckpointLimits(maxParameters: config.checkpoint.maxParameters, isolation: options.checkpointIsolation)
    var start = RunStart()
    // Every rank learns which checkpoint (if any) rank 0 resumes from.
    let resumePath = try comm.rootDecides { () -> String? in
        start = try claimRunFolder(config, store: store, resume: options.resume, limits: limits)
        return start.resume?.path
    }
    defer { start.folder?.release() }
    let log = RunLog(folder: start.folder, format: options.format, quiet: options.quiet, enabled: root)
    for line in start.notes { log.say(line, event: "recovery") }
    // Decoding a dataset takes minutes on a first run: every rank does its share
    // before the Trainer maps the cache.
    try prepareData(config.data, scales: config.model.scales, comm: comm, threads: config.kernelSettings().threads) {
        log.say($0, event: "data")
    }
    let trainer = try Trainer(config: config, communicator: comm)
    try comm.checkAgreement([("config", StableHash.of(config.json)),
                             ("model layout", StableHash.of(trainer.model.layout.views.map { "\($0.name)\($0.shape)" }.joined())),
                             ("code version", try StableHash.ofExecutable())])

    var progress = RunProgress()
    if let resumePath {
        progress = try trainer.restore(start.resume?.contents, file: resumePath)
        log.say("resumed from \(resumePath) at step \(progress.step)", event: "resume", fields: ["step": progress.step])
        start.resume = nil  // the arenas hold it now
    } else if let from = config.train.initFrom {
        for line in try trainer.initializeWeights(from: from, limits: limits) { log.say("init_from \(from): \(line)", event: "init_from") }
    }
    // A run started from other weights records them as its step-0 checkpoint.
    let saveInitial = resumePath == nil && config.train.initFrom != nil
    let m = config.model
    let blas = options.blas ?? .unchecked
    let scales = m.scales.map { "×\($0)" }.joined(separator: "/")
    let schedule = m.scales.count > 1 ? " (\(config.train.scaleSchedule.rawValue) scales)" : ""
    let (threads, simd) = (trainer.kernels.threads, trainer.kernels.settings.simd.rawValue)
    log.say("srdist: \(config.name) [\(trainer.stage)]: \(m.arch.rawValue.uppercased()) \(scales) B\(m.blocks) F\(m.features)\(schedule), \(trainer.model.layout.count) parameters; "
            + "global batch \(config.train.batchSize) over \(comm.size) rank\(comm.size == 1 ? "" : "s") × \(threads) threads, "
            + "patch \(config.train.patchSize), steps \(progress.step)→\(config.train.steps); run folder \(config.runDir); "
            + "BLAS \(blas.summary), SIMD \(simd)",
            event: "start", fields: ["ranks": comm.size, "threads": threads, "parameters": trainer.model.layout.count,
                                     "blas": blas.library.description, "blas_origin": blas.origin.rawValue, "simd": simd])

    // A signal noted in an earlier stage's last steps stops this one before it trains.
    if try comm.allreduce([StopSignal.received ? 1 : 0] as [Int32], .max)[0] == 1 {
        log.say("stop signal: exiting with 85 before training (requeue me)", event: "signal")
        return .checkpointedOnSignal
    }
    StopSignal.beginTraining()
    defer { StopSignal.endTraining() }
    var history = (try? JSONSerialization.jsonObject(with: Data(progress.metricsHistory.utf8))) as? [[String: Any]] ?? []
    let meter = ProgressMeter(trainer: trainer, start: progress.step)

    var budget = StopBudget(seconds: config.checkpoint.stopBudgetSeconds)
    /// Validates (rank 0), records the score, and saves. Returns on every rank whether
    /// the save succeeded (rank 0 decides for everybody).
    func checkpoint(validate: Bool) throws -> Bool {
        try comm.rootDecides {
            var score: Double?
            if validate {
                let (model, bicubic, perScale) = try trainer.validate()
                score = model.psnr
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
            }
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
    /// A save that failed at the end of the run (or mid-run with `on_save_error: stop`).
    func lastSaveFailed() -> RunOutcome {
        log.say("the run's last checkpoint was not saved: steps since the previous checkpoint are lost; "
                + "free space or fix permissions, then --resume auto (exit 86)", event: "checkpoint_error")
        return .finalSaveFailed
    }

    if saveInitial, !(try checkpoint(validate: false)), config.checkpoint.onSaveError == .stop { return lastSaveFailed() }
    while progress.step < config.train.steps {
        let t = progress.step
        let began = Date()
        let decision = try trainer.step(t, stopRequested: StopSignal.received)
        budget.recordStep(Date().timeIntervalSince(began))
        progress.step = t + 1
        meter.record(decision)
        if !decision.apply {
            log.say("step \(t + 1): non-finite loss or gradient on some rank; update skipped (\(trainer.skippedSteps) so far)",
                    event: "skip", fields: ["step": t + 1, "skipped": trainer.skippedSteps], record: true)
        }
        if progress.step % config.train.logEvery == 0 || decision.stop != nil {
            let line = meter.line(step: progress.step)
            log.say(line.text, event: "progress", fields: line.fields, record: true)
        }
        switch decision.stop {
        case .none:
            let evalNow = config.train.evalEvery > 0 && progress.step % config.train.evalEvery == 0
            if evalNow || progress.step % config.checkpoint.saveEvery == 0 {
                if !(try checkpoint(validate: evalNow)) {
                    if config.checkpoint.onSaveError == .stop { return lastSaveFailed() }
                    log.say("training continues (on_save_error: continue)", event: "checkpoint_error")
                }
            }
        case .finished?:
            let saved = try checkpoint(validate: true)
            log.say(meter.summary(step: progress.step), event: "summary", fields: ["step": progress.step], record: true)
            return saved ? .finished : lastSaveFailed()
        case .signal?:
            log.say("stop signal: checkpointing at step \(progress.step) and exiting with 85 (requeue me)", event: "signal")
            return try checkpoint(validate: false) ? .checkpointedOnSignal : lastSaveFailed()
        case let reason?:
            _ = try? checkpoint(validate: false)
            throw CollectiveError("training stopped at step \(progress.step): \(reason)")
        }
    }
    log.say("nothing to do: the run is already at step \(progress.step) of \(config.train.steps)", event: "summary")
    return .finished
}

