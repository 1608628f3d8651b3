import ArgumentParser
import Checkpoint
import Distributed
import Foundation
import Train

/// `srdist [train] --config FILE`: trains the configured model on every rank
/// `mpirun` started (or on one process without mpirun).
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a model from a JSON config (the default verb).",
        discussion: """
            Exit codes: 0 finished, 1 error, 64 bad flags, 85 checkpointed after a stop signal (SIGUSR1/SIGTERM/SIGINT, or \
            any of them during start-up): requeue the job; 86 the last checkpoint could not be saved (disk full, \
            permissions); 130 a second Ctrl-C or SIGUSR2 (stopped at once, no checkpoint).
            """)

    /// Path of the JSON config file (see configs/).
    @Option(help: "Path of the JSON config file (see configs/).")
    var config: String

    /// Continue a run: "auto" (the run folder's latest checkpoint, or a fresh start if none), or a
    /// checkpoint as every verb takes one: a file, a `latest`/`best` pointer, or a run folder.
    @Option(help: "Resume: 'auto' (latest checkpoint of the run folder, if any), a checkpoint file, a latest/best pointer or a run folder.")
    var resume: String?

    /// Config overrides, e.g. --set train.lr=2e-4 (repeatable); echoed in the log and stored in checkpoints.
    @Option(name: .customLong("set"), help: "Override a config key, e.g. --set train.lr=2e-4 (repeatable).")
    var overrides: [String] = []

    /// No progress output on standard output (train.log and metrics.jsonl are still written).
    @Flag(help: "No output on standard output (the run folder's log files are still written).")
    var quiet = false

    /// Progress output format.
    @Option(help: "Output format: text or json.")
    var logFormat: RunLog.Format = .text

    func validate() throws {
        if resume?.isEmpty == true {
            throw CommandLineError("--resume is empty: give auto, a checkpoint file, a latest/best pointer or a run folder")
        }
    }

    func run() throws {
        // First: a stop signal during start-up (data loading, cache builds) must exit 85, not kill.
        StopSignal.install()
        let blas = try startUpCheck()
        let comm = try Communicator.initialize(threadLevel: .multiple)
        StopSignal.announceExits(comm.rank == 0)
        let cfg = try loadConfig(config, overrides: overrides, on: comm)
        comm.watchdog = comm.startWatchdog(timeout: cfg.distributed.watchdogSeconds)
        if comm.rank == 0 && !overrides.isEmpty && !quiet {
            let line = "config overrides: \(overrides.joined(separator: " "))"
            if logFormat == .json, let data = try? JSONSerialization.data(withJSONObject: ["event": "overrides", "message": line]) {
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(line)
            }
        }
        let outcome: RunOutcome
        do {
            outcome = try runStages(cfg, options: RunOptions(resume: resume, quiet: quiet, format: logFormat, blas: blas,
                                                                checkpointIsolation: CheckpointSandbox.isolation()), comm: comm)
        } catch {
            throw settled(error, on: comm)
        }
        try Communicator.finalize()
        if outcome != .finished { throw ExitCode(outcome.exitCode) }
    }
}

extension RunLog.Format: ExpressibleByArgument {}
