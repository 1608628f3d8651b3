import Checkpoint
import Data
import Distributed
import Foundation
import Kernels

/// How a training run ended.
public enum RunOutcome: Equatable, Sendable {
    case finished
    /// A stop signal arrived; a checkpoint was written. Exit code 85: "requeue me".
    case checkpointedOnSignal
}

/// Command-line choices for a run.
public struct RunOptions: Sendable {
    /// "auto" (latest checkpoint of the run folder, if any) or a checkpoint path.
    public var resume: String?
    public var quiet = false
    public var format: RunLog.Format = .text
    public init(resume: String? = nil, quiet: Bool = false, format: RunLog.Format = .text) {
        (self.resume, self.quiet, self.format) = (resume, quiet, format)
    }
}

/// A whole training run on every rank: run folder, agreement, resume or init_from,
/// the step loop with progress lines, validation and checkpoints, and the agreed stop.
/// Every branch that involves a collective is taken by all ranks together.
public func train(_ config: Config, options: RunOptions, comm: Communicator) throws -> RunOutcome {
    let root = comm.rank == 0
    let checkpointDir = (config.runDir as NSString).appendingPathComponent("checkpoints")
    let store = CheckpointStore(directory: checkpointDir, keepLast: config.checkpoint.keepLast, keepBest: config.checkpoint.keepBest)
    let trainer = try Trainer(config: config, communicator: comm)
    let resumePath = try trainer.rootDecides {
        try prepareRunFolder(config, store: store, resume: options.resume)
    }
    let log = RunLog(runDir: config.runDir, format: options.format, quiet: options.quiet, enabled: root)
    try comm.checkAgreement([("config", StableHash.of(config.json)),
                             ("model layout", StableHash.of(trainer.model.layout.views.map { "\($0.name)\($0.shape)" }.joined())),
                             ("code version", try StableHash.ofExecutable())])

    var progress = RunProgress()
    if !resumePath.isEmpty {
        let contents = root ? try CheckpointFile.read(path: resumePath, limits: trainer.checkpointLimits, expecting: trainer.checkpointExpectation) : nil
        progress = try trainer.restore(contents, file: resumePath)
        log.say("resumed from \(resumePath) at step \(progress.step)", event: "resume", fields: ["step": progress.step])
    } else if let from = config.train.initFrom {
        for line in try trainer.initializeWeights(from: from) { log.say("init_from \(from): \(line)", event: "init_from") }
    }
    // A run started from other weights records them as its step-0 checkpoint.
    let saveInitial = resumePath.isEmpty && config.train.initFrom != nil
    let m = config.model
    let scales = m.scales.map { "×\($0)" }.joined(separator: "/")
    let schedule = m.scales.count > 1 ? " (\(config.train.scaleSchedule) scales)" : ""
    log.say("srdist: \(config.name) [\(trainer.stage)]: \(m.arch.uppercased()) \(scales) B\(m.blocks) F\(m.features)\(schedule), \(trainer.model.layout.count) parameters; "
            + "global batch \(config.train.batchSize) over \(comm.size) rank\(comm.size == 1 ? "" : "s") × \(Threads.count) threads, "
            + "patch \(config.train.patchSize), steps \(progress.step)→\(config.train.steps); run folder \(config.runDir)",
            event: "start", fields: ["ranks": comm.size, "threads": Threads.count, "parameters": trainer.model.layout.count])

    StopSignal.install()
    var history = (try? JSONSerialization.jsonObject(with: Data(progress.metricsHistory.utf8))) as? [[String: Any]] ?? []
    let meter = ProgressMeter(trainer: trainer, start: progress.step)

    /// Validates (rank 0), records the score, and saves; a failed save stops or
    /// continues per config, decided by rank 0 for everybody.
    func checkpoint(validate: Bool) throws {
        _ = try trainer.rootDecides {
            var score: Double?
            if validate {
                let (model, bicubic, perScale) = try trainer.validate()
                score = model.psnr
                history.append(["step": progress.step, "psnr": model.psnr, "ssim": model.ssim, "bicubic_psnr": bicubic.psnr])
                progress.metricsHistory = String(decoding: try JSONSerialization.data(withJSONObject: history, options: [.sortedKeys]), as: UTF8.self)
                if model.psnr > (progress.bestPSNR ?? -.infinity) { (progress.bestPSNR, progress.bestStep) = (model.psnr, progress.step) }
                let scales = perScale.count > 1
                    ? " [" + perScale.keys.sorted().map { String(format: "×%d %.2f", $0, perScale[$0]!.psnr) }.joined(separator: ", ") + "]" : ""
                log.say(String(format: "validation step %d: PSNR %.2f dB, SSIM %.4f (bicubic %.2f dB, %+.2f dB)%@%@", progress.step,
                               model.psnr, model.ssim, bicubic.psnr, model.psnr - bicubic.psnr, scales,
                               progress.bestStep == progress.step ? " — best so far" : ""),
                        event: "validation", fields: ["step": progress.step, "psnr": model.psnr, "ssim": model.ssim,
                                                      "bicubic_psnr": bicubic.psnr], record: true)
            }
            do {
                let path = try store.save(trainer.checkpointContents(progress), score: score)
                log.say("checkpoint \(path)", event: "checkpoint", fields: ["step": progress.step, "path": path])
                return "saved"
            } catch {
                let stop = config.checkpoint.onSaveError == "stop"
                log.say("checkpoint at step \(progress.step) failed: \(describe(error))\(stop ? "" : "; training continues (on_save_error: continue)")",
                        event: "checkpoint_error")
                if stop { throw error }
                return "failed"
            }
        }
    }

    if saveInitial { try checkpoint(validate: false) }
    while progress.step < config.train.steps {
        let t = progress.step
        let decision = try trainer.step(t, stopRequested: StopSignal.received)
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
            if evalNow || progress.step % config.checkpoint.saveEvery == 0 { try checkpoint(validate: evalNow) }
        case .finished?:
            try checkpoint(validate: true)
            log.say(meter.summary(step: progress.step), event: "summary", fields: ["step": progress.step], record: true)
            return .finished
        case .signal?:
            log.say("stop signal: checkpointing at step \(progress.step) and exiting with 85 (requeue me)", event: "signal")
            try checkpoint(validate: false)
            return .checkpointedOnSignal
        case let reason?:
            try? checkpoint(validate: false)
            throw CollectiveError("training stopped at step \(progress.step): \(reason)")
        }
    }
    log.say("nothing to do: the run is already at step \(progress.step) of \(config.train.steps)", event: "summary")
    return .finished
}

/// Rank 0: creates the run folder and decides what to resume from ("" for a fresh
/// start). Re-running a config whose folder already holds checkpoints without
/// `--resume` is refused rather than overwriting them.
func prepareRunFolder(_ config: Config, store: CheckpointStore, resume: String?) throws -> String {
    let fm = FileManager.default
    do { try fm.createDirectory(atPath: store.directory, withIntermediateDirectories: true) } catch {
        throw ConfigError("\(config.runDir): cannot create the run folder (\(describeIOError(error, path: store.directory)))")
    }
    try RunFolderFiles.requireNoLinks(in: config.runDir)
    let existing = store.latest()
    let path: String
    if let resume {
        path = try store.resolve(resume: resume) ?? ""
    } else if let existing {
        throw ConfigError("\(config.runDir) already holds checkpoints (latest \(existing)): pass --resume auto to continue it, "
                          + "or choose another name or run_dir")
    } else {
        path = ""
    }
    let configPath = (config.runDir as NSString).appendingPathComponent("config.json")
    do { try config.json.write(toFile: configPath, atomically: true, encoding: .utf8) } catch {
        throw ConfigError("\(configPath): cannot write the resolved config (\(describeIOError(error, path: configPath)))")
    }
    return path
}
