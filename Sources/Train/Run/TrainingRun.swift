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
    // Too many ranks for the batch, or a precision this machine cannot run (bf16 without
    // an engine), is refused before the run folder is claimed or any data is read: one
    // line from rank 0.
    // "auto" threads share this node's cores among the ranks MPI counts on it.
    let ranksOnNode = config.train.threadsPerRank == .auto ? try comm.sameHost().size : nil
    let settings = try comm.failTogether { () -> KernelSettings in
        try config.check(ranks: comm.size)
        return try config.kernelSettings(ranksOnNode: ranksOnNode)
    }
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
    try prepareData(config.data, scales: config.model.scales, comm: comm, threads: settings.threads) {
        log.say($0, event: "data")
    }
    let trainer = try Trainer(config: config, kernels: settings, communicator: comm, groupsOnHost: options.groupsOnHost)
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
    // Next to the start line that names the kernel, after every input was accepted.
    let blas = options.blas ?? .unchecked
    if let slower = blas.slowerSetting { log.say("srdist: \(slower)", event: "warning") }
    sayStart(trainer, blas: blas, from: progress.step, log: log)

    // A signal noted in an earlier stage's last steps stops this one before it trains.
    if try comm.allreduce([StopSignal.received ? 1 : 0] as [Int32], .max)[0] == 1 {
        log.say("stop signal: exiting with 85 before training (requeue me)", event: "signal")
        return .checkpointedOnSignal
    }
    StopSignal.beginTraining()
    defer { StopSignal.endTraining() }
    trainer.onShareChange = { log.say($0, event: "shares", fields: $1, record: true) }
    let meter = ProgressMeter(trainer: trainer, start: progress.step)
    let checkpoints = RunCheckpoints(trainer: trainer, store: store, log: log, meter: meter, resumedFrom: progress)

    // A run started from other weights records them, validated, as its step-0
    // checkpoint: the score a stage starts from.
    if resumePath == nil && config.train.initFrom != nil {
        let score = try checkpoints.validate(&progress)
        let saved = try checkpoints.save(progress, score: score)
        if let outcome = checkpoints.outcome(afterSave: saved) { return outcome }
    }
    while progress.step < config.train.steps {
        let t = progress.step
        let began = Date()
        let decision = try trainer.step(t, stopRequested: StopSignal.received)
        checkpoints.budget.recordStep(Date().timeIntervalSince(began))
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
        case .none, .finished?:
            break
        case .signal?:
            // The requeued run validates this step.
            log.say("stop signal: checkpointing at step \(progress.step) and exiting with 85 (requeue me)", event: "signal")
            let saved = try checkpoints.save(progress, score: nil)
            try logPeakMemory(comm: comm, log: log)
            return checkpoints.end(afterSave: saved, as: .checkpointedOnSignal)
        case let reason?:
            _ = try? checkpoints.save(progress, score: nil)
            throw CollectiveError("training stopped at step \(progress.step): \(reason)")
        }

        let last = decision.stop == .finished
        let validationDue = last || (config.train.evalEvery > 0 && progress.step % config.train.evalEvery == 0)
        let score = try validationDue ? checkpoints.validate(&progress) : nil
        if validationDue || progress.step % config.checkpoint.saveEvery == 0 {
            let saved = try checkpoints.save(progress, score: score)
            if last {
                log.say(meter.summary(step: progress.step), event: "summary", fields: ["step": progress.step], record: true)
                try logPeakMemory(comm: comm, log: log)
                return checkpoints.end(afterSave: saved, as: .finished)
            }
            if let outcome = checkpoints.outcome(afterSave: saved) { return outcome }
        }
    }
    // A stop at the last step (or during its validation) saved the checkpoint without
    // the final validation, the run's result: the requeued run does it.
    if try !checkpoints.validated(step: progress.step) {
        log.say("step \(progress.step) of \(config.train.steps) has no validation (a stop signal came first): validating now",
                event: "resume")
        let score = try checkpoints.validate(&progress)
        let saved = try checkpoints.save(progress, score: score)
        try logPeakMemory(comm: comm, log: log)
        return checkpoints.end(afterSave: saved, as: .finished)
    }
    log.say("nothing to do: the run is already at step \(progress.step) of \(config.train.steps)", event: "summary")
    return .finished
}

/// The start line: the model, the ranks and threads, the steps ahead, the run folder
/// and what the kernels run with.
private func sayStart(_ trainer: Trainer, blas: BLASReport, from step: Int, log: RunLog) {
    let (config, m, comm) = (trainer.config, trainer.config.model, trainer.comm)
    let scales = m.scales.map { "×\($0)" }.joined(separator: "/")
    let schedule = m.scales.count > 1 ? " (\(config.train.scaleSchedule.rawValue) scales)" : ""
    let (threads, simd, precision) = (trainer.kernels.threads, trainer.kernels.settings.simd.rawValue, trainer.kernels.settings.precision)
    log.say("srdist: \(config.name) [\(trainer.stage)]: \(m.arch.rawValue.uppercased()) \(scales) B\(m.blocks) F\(m.features)\(schedule), \(trainer.model.layout.count) parameters; "
            + "global batch \(config.train.batchSize) over \(comm.size) rank\(comm.size == 1 ? "" : "s") × \(threads) threads, "
            + "patch \(config.train.patchSize), steps \(step)→\(config.train.steps); run folder \(config.runDir); "
            + "BLAS \(blas.summary), SIMD \(simd), precision \(trainer.kernels.settings.precisionSummary)",
            event: "start", fields: ["ranks": comm.size, "threads": threads, "parameters": trainer.model.layout.count,
                                     "blas": blas.library.description, "blas_origin": blas.origin.rawValue, "simd": simd,
                                     "precision": precision.rawValue])
}

/// One line with every rank's peak RSS: rank 0's, the largest other, and their sum (an
/// upper bound of what the ranks held at once; pages they share count once per rank).
private func logPeakMemory(comm: Communicator, log: RunLog) throws {
    let peaks = try comm.allgather([MemoryUsage.current().peakRSS]).map { $0[0] }
    let others = peaks.dropFirst().max()
    log.say(String(format: "memory: peak RSS rank 0 %.0f MB%@, sum over %d rank%@ %.0f MB", peaks[0],
                   others.map { String(format: ", other ranks up to %.0f MB", $0) } ?? "", peaks.count, peaks.count == 1 ? "" : "s",
                   peaks.reduce(0, +)),
            event: "memory", fields: ["peak_rss_mb": peaks], record: true)
}
