import Foundation

/// The POSIX steps that make a finished file survive a crash or power loss: fsync
/// the file, rename it into place, fsync the folder that holds the new name. Public for
/// the other files srdist writes whole (ONNX models), so none is ever seen half-written.
public enum DurableFile {
    /// Forces a folder's entries (new names) to the disk.
    static func syncFolder(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CheckpointError("\(path): cannot open for fsync: \(errnoText())") }
        defer { close(fd) }
        guard retryingEINTR({ fsync(fd) }) == 0 else { throw CheckpointError("\(path): fsync failed: \(errnoText())") }
    }

    /// Creates or truncates `path`, writes `bytes`, fsyncs and closes it, reporting
    /// the first failure (ENOSPC, EFBIG, EACCES, …) by its system message.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CheckpointError("\(path): cannot create: \(errnoText())") }
        var failure: String?
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { failure = "write failed after \(done) of \(raw.count) bytes: \(errnoText())"; return }
                done += n
            }
        }
        if failure == nil, retryingEINTR({ fsync(fd) }) != 0 { failure = "fsync failed: \(errnoText())" }
        if close(fd) != 0, failure == nil { failure = "close failed: \(errnoText())" }
        if let failure { throw CheckpointError("\(path): \(failure)") }
    }

    /// Renames `from` over `to` (atomic on one file system) and syncs the folder so
    /// the rename itself is durable.
    static func replace(_ to: String, with from: String) throws {
        guard rename(from, to) == 0 else { throw CheckpointError("\(to): cannot rename \(from) over it: \(errnoText())") }
        try syncFolder(URL(fileURLWithPath: to).deletingLastPathComponent().path)
    }

    /// Writes `text` to `path` atomically: a temporary sibling, fsync, rename.
    static func writeAtomically(_ text: String, to path: String) throws { try writeAtomically(Array(text.utf8), to: path) }

    /// Writes `bytes` to `path` atomically: a temporary sibling, fsync, rename; on a
    /// failure the temporary is removed and `path` is as it was.
    /// - Throws: `CheckpointError` naming the path and the system's reason.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temp = temporaryPath(for: path)
        do {
            try write(bytes, to: temp)
            try replace(path, with: temp)
        } catch {
            unlink(temp)
            throw error
        }
    }

    /// `<folder>/.<name>.tmp-<pid>`: hidden, in the same folder (so the rename stays on
    /// one file system) and unique per writing process.
    static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    private static func retryingEINTR(_ call: () -> Int32) -> Int32 {
        while true {
            let r = call()
            if r == 0 || errno != EINTR { return r }
        }
    }
}
