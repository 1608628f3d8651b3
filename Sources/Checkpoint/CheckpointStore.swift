import Foundation
import Support

/// A run's checkpoint folder:
///
///     step-000001000.h5  step-000002000.h5  …   one file per saved step
///     latest                                    name of the newest complete checkpoint
///     best                                      name and score of the best one
///
/// Saving writes a hidden temporary file in the same folder, fsyncs and closes it,
/// renames it over its final name, fsyncs the folder, and only then moves the
/// `latest` (and `best`) pointer the same way and deletes checkpoints no longer
/// kept. A crash or a failed write at any point leaves the previous checkpoint and
/// its pointer intact; `recover` tidies what such a crash leaves behind. Only one
/// process (rank 0) may save into a folder. Contents with a NaN or ±∞ anywhere are
/// never saved, so `latest` always names finite weights.
public struct CheckpointStore {
    public let directory: String
    /// How many of the newest checkpoints to keep (at least 1).
    public let keepLast: Int
    /// Also keep the checkpoint with the best score (validation PSNR), however old.
    public let keepBest: Bool

    public init(directory: String, keepLast: Int = 2, keepBest: Bool = true) {
        precondition(keepLast >= 1, "CheckpointStore: keepLast must be at least 1")
        (self.directory, self.keepLast, self.keepBest) = (directory, keepLast, keepBest)
    }

    /// `step-000001000.h5`: zero-padded so names sort by step.
    public static func fileName(step: Int) -> String { "step-" + String(format: "%09d", step) + ".h5" }

    /// Saves `contents` as `fileName(step: contents.step)` (replacing a checkpoint of
    /// the same step), then moves `latest`, updates `best` when `score` beats it, and
    /// prunes.
    /// - Parameter score: the validation PSNR measured at this step, if any (higher is better).
    /// - Returns: the saved checkpoint's path.
    /// - Throws: `CheckpointError` naming the checkpoint and the reason (disk full,
    ///   permission, non-finite values, …); the previous checkpoint and the pointers
    ///   are then unchanged.
    @discardableResult
    public func save(_ contents: CheckpointContents, score: Double? = nil) throws -> String {
        let name = Self.fileName(step: contents.step)
        let path = self.path(name)
        if let tensor = contents.firstNonFinite() {
            throw CheckpointError("\(path): checkpoint not saved: \(tensor) holds NaN or ±∞; the previous checkpoint stays latest")
        }
        let temp = FileDoor.temporaryPath(for: path)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try CheckpointFile.write(contents, to: temp)
            try FileDoor.replace(path, with: temp, what: "checkpoint")
        } catch {
            unlink(temp)
            throw CheckpointError("\(path): checkpoint not saved, the previous one is untouched: \(error.localizedDescription)")
        }
        try FileDoor.writeAtomically(Array((name + "\n").utf8), to: self.path("latest"), what: "latest pointer")
        if keepBest, let score, score > (best()?.score ?? -.infinity) {
            try FileDoor.writeAtomically(Array("\(name) \(score)\n".utf8), to: self.path("best"), what: "best pointer")
        }
        prune(keeping: name)
        return path
    }

    /// The newest complete checkpoint: the one `latest` names, or, if that pointer is
    /// missing or stale, the highest step in the folder; nil when there is none.
    public func latest() -> String? {
        if let name = pointer("latest")?.first, FileManager.default.fileExists(atPath: path(String(name))) {
            return path(String(name))
        }
        return checkpoints().last?.path
    }

    /// The best-scoring checkpoint and its score, when one was saved with a score and
    /// still exists.
    public func best() -> (path: String, score: Double)? {
        guard let fields = pointer("best"), fields.count == 2, let score = Double(fields[1]),
              FileManager.default.fileExists(atPath: path(String(fields[0]))) else { return nil }
        return (path(String(fields[0])), score)
    }

    /// Every checkpoint file in the folder, by increasing step.
    public func checkpoints() -> [(step: Int, path: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name in
            guard name.hasPrefix("step-"), name.hasSuffix(".h5"), let step = Int(name.dropFirst(5).dropLast(3)) else { return nil }
            return (step, path(name))
        }.sorted { $0.step < $1.step }
    }

    /// The checkpoint a `--resume` value means: `"auto"` is this folder's latest (nil
    /// when there is none: start fresh); a folder is that folder's latest; anything
    /// else is a checkpoint file's path.
    /// - Throws: `CheckpointError` when a named folder holds no checkpoint.
    public func resolve(resume: String) throws -> String? {
        if resume == "auto" { return latest() }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resume, isDirectory: &isDirectory), isDirectory.boolValue else { return resume }
        guard let found = CheckpointStore(directory: resume).latest() else {
            throw CheckpointError("\(resume): a folder without checkpoints (no step-*.h5 files)")
        }
        return found
    }

    /// Where a user-given checkpoint argument points: a `latest` or `best` pointer
    /// file resolves to the checkpoint it names, a run or checkpoint folder to its
    /// latest checkpoint; anything else is returned as it is.
    public static func locate(_ argument: String) throws -> String {
        guard !argument.isEmpty else {
            throw CheckpointError("an empty path was given for a checkpoint: give a checkpoint file, a latest/best pointer or a run folder")
        }
        let url = URL(fileURLWithPath: argument)
        let name = url.lastPathComponent
        if name == "latest" || name == "best" {
            let store = CheckpointStore(directory: url.deletingLastPathComponent().path)
            if let found = name == "latest" ? store.latest() : store.best()?.path { return found }
            throw CheckpointError("\(argument): the pointer names no existing checkpoint")
        }
        let inner = (argument as NSString).appendingPathComponent("checkpoints")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: inner, isDirectory: &isDirectory), isDirectory.boolValue {
            return try CheckpointStore(directory: argument).resolve(resume: inner) ?? argument
        }
        return try CheckpointStore(directory: argument).resolve(resume: argument) ?? argument
    }

    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    func pointer(_ name: String) -> [Substring]? { pointerFields(path(name)) }

    /// A pointer file's whitespace-separated fields (`name` or `name score`), only
    /// when they name a checkpoint of this folder.
    func pointerFields(_ file: String) -> [Substring]? {
        guard let data = try? FileDoor.read(file, what: "checkpoint pointer", maxBytes: 4096) else { return nil }
        return Self.confined(String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace))
    }

    /// Throws unless `latest`, `best` and every `step-*.h5` are absent or regular files:
    /// a folder, FIFO, device or link under a name srdist writes would make a save of the
    /// run fail (or block) after it had trained, so a run start refuses it before any
    /// training.
    /// - Throws: `CheckpointError` naming the path and what it is.
    public func requireOwnFiles() throws {
        let names = ["latest", "best"] + ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix("step-") && $0.hasSuffix(".h5") }.sorted()
        for name in names {
            guard let foreign = FileDoor.foreignKind(at: path(name)) else { continue }
            let role = name.hasPrefix("step-") ? "a checkpoint file" : "a checkpoint pointer"
            throw CheckpointError("\(path(name)): is \(foreign.kind), not \(role); srdist writes \(name) itself — remove it")
        }
    }

    /// Deletes checkpoints beyond the newest `keepLast` (sparing `current` and the
    /// best) and temporary files left by writers that died.
    func prune(keeping current: String) {
        let all = checkpoints()
        var keep = Set(all.suffix(keepLast).map(\.path) + [path(current)])
        if keepBest, let best = best() { keep.insert(best.path) }
        for c in all where !keep.contains(c.path) { unlink(c.path) }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        where name.hasPrefix(".") && name.contains(".tmp-") {
            unlink(path(name))
        }
    }
}
