import Foundation
import Data
import Support

/// Rank 0's hold on a run folder for the length of a run: an exclusive `flock` on
/// `<run>/srdist.lock` (so a second run on the same folder is refused, and the kernel
/// releases the lock when the holder dies: a stale lock file never blocks), and the
/// folder's continued existence (deleted mid-run, it is recreated with a warning, so
/// the log, metrics and checkpoints keep landing somewhere).
public final class RunFolder {
    public let path: String
    /// The resolved config, rewritten as `config.json` whenever the folder is created.
    let configJSON: String
    private var lock: Int32 = -1

    /// Creates the folder (and `checkpoints/`) and takes the lock.
    /// - Throws: `ConfigError` when the folder cannot be created or another run holds it.
    public init(path: String, configJSON: String) throws {
        (self.path, self.configJSON) = (path, configJSON)
        try createAndLock()
    }

    deinit { release() }

    /// Gives the lock up (at the end of a run; also on deinit).
    public func release() {
        if lock >= 0 { close(lock) }
        lock = -1
    }

    var lockPath: String { (path as NSString).appendingPathComponent("srdist.lock") }

    private func createAndLock() throws {
        let checkpoints = (path as NSString).appendingPathComponent("checkpoints")
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ConfigError("\(path): cannot create the run folder (\(describeIOError(error)))")
        }
        // `checkpoints` may be a link to a folder on a bigger disk, but it must end in a folder.
        var info = stat()
        if stat(checkpoints, &info) == 0, info.st_mode & S_IFMT != S_IFDIR {
            throw ConfigError("\(checkpoints): is \(FileDoor.kind(info.st_mode)), not a folder; srdist keeps the run's checkpoints there — move it away")
        }
        do {
            try FileManager.default.createDirectory(atPath: checkpoints, withIntermediateDirectories: true)
        } catch {
            throw ConfigError("\(checkpoints): cannot create the checkpoint folder (\(describeIOError(error)))")
        }
        try takeLock()
    }

    /// Writes the resolved config as `config.json`.
    public func writeConfig() throws {
        try FileDoor.writeAtomically(Array(configJSON.utf8), to: (path as NSString).appendingPathComponent("config.json"),
                                     what: "run's config.json")
    }

    private func takeLock() throws {
        release()
        // Never through a link (it would carry the holder's line outside the folder),
        // never blocking on a FIFO put in its place.
        let fd: Int32
        do { fd = try FileDoor.openWritable(lockPath, what: "run lock", append: false) } catch { throw ConfigError(describe(error)) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let reason = errno
            if reason == EWOULDBLOCK {
                let holder = String(decoding: readAll(fd), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                close(fd)
                throw ConfigError("\(path) is in use by another srdist run (\(holder.isEmpty ? "holder unknown" : holder)); "
                                  + "wait for it to end, or choose another name or run_dir")
            }
            // Some cluster file systems refuse flock: run unprotected rather than not at all.
            FileHandle.standardError.write(Data("srdist: warning: \(lockPath): cannot lock (\(String(cString: strerror(reason)))); a second run on this folder would not be refused\n".utf8))
        }
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        let text = "host \(String(cString: host)), pid \(getpid()), since \(ISO8601DateFormatter().string(from: Date()))\n"
        ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        lock = fd
    }

    /// Whether the folder is still there; if it was deleted (or moved away) since the
    /// lock was taken, recreates it, takes a new lock and rewrites `config.json`.
    /// - Returns: a warning line when it had to recreate the folder, else nil.
    public func ensureExists() -> String? {
        var held = stat(), named = stat()
        if lock >= 0, fstat(lock, &held) == 0, stat(lockPath, &named) == 0, held.st_ino == named.st_ino, held.st_dev == named.st_dev {
            return nil
        }
        do {
            try createAndLock()
            try writeConfig()
            return "warning: the run folder \(path) vanished during the run; recreated it (earlier logs and checkpoints "
                + "in it are gone; the next checkpoint is written there)"
        } catch {
            return "warning: the run folder \(path) vanished during the run and cannot be recreated: \(describe(error))"
        }
    }
}

private func readAll(_ fd: Int32) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 4096)
    let n = pread(fd, &bytes, bytes.count, 0)
    return Array(bytes.prefix(max(n, 0)))
}
