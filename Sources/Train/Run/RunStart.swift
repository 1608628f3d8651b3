import Checkpoint
import Foundation

/// What rank 0 found when it claimed a run folder.
struct RunStart {
    /// The locked folder (rank 0 only).
    var folder: RunFolder?
    /// The checkpoint to resume from, already read and checked.
    var resume: (path: String, contents: CheckpointContents)?
    /// Lines for the log: repairs of an interrupted save, checkpoints passed over.
    var notes: [String] = []
}

/// Rank 0: locks the run folder, repairs what an interrupted save left, decides what
/// to resume from, enforces retention and writes `config.json`. Re-running a config
/// whose folder already holds checkpoints without `--resume` is refused rather than
/// overwriting them. `--resume auto` takes the newest checkpoint that reads back
/// whole (checksums, shapes, finite values), saying which ones it passed over; every
/// checkpoint is read within `limits`.
func claimRunFolder(_ config: Config, store: CheckpointStore, resume: String?, limits: CheckpointLimits) throws -> RunStart {
    var start = RunStart(folder: try RunFolder(path: config.runDir, configJSON: config.json))
    try RunFolderFiles.requireRegularFiles(in: config.runDir)
    try store.requireOwnFiles()
    start.notes = store.recover().map { "\(store.directory): \($0)" }
    switch resume {
    case nil:
        if let existing = store.latest() {
            throw ConfigError("\(config.runDir) already holds checkpoints (latest \(existing)): pass --resume auto to continue it, "
                              + "or choose another name or run_dir")
        }
    case "auto"?:
        guard !store.checkpoints().isEmpty else { break }
        let (found, rejected) = store.newestValid(first: store.latest(), limits: limits)
        start.notes += rejected.map { "passed over a checkpoint that does not read back whole: \($0)" }
        guard let found else {
            throw CheckpointError("\(store.directory): no checkpoint reads back whole (\(rejected.count) tried; newest: "
                                  + "\(rejected.first ?? "none")); move the folder away to start afresh")
        }
        if !rejected.isEmpty { start.notes.append("resuming from \(found.path), the newest valid checkpoint") }
        store.enforceRetention(keeping: found.path)
        start.resume = found
    case let path?:
        let file = try CheckpointStore.locate(path)
        start.resume = (file, try CheckpointStore.readValid(file, limits: limits))
    }
    try start.folder!.writeConfig()
    return start
}
