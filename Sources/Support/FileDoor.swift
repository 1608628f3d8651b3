import Foundation

/// A file srdist was asked to read or write and refused, in one line naming the path.
public struct FileDoorError: OneLineError {
    public let message: String
    public init(_ message: String) { self.message = message }
}

/// The one door every file srdist reads or writes goes through.
///
/// Reading: only regular files, opened without blocking (a FIFO, a terminal or a device
/// would otherwise block `open` or `read` forever) and checked with `fstat` on the
/// opened descriptor (so the file checked is the file read), sizes bounded before any
/// byte is read.
///
/// Writing: whole files appear atomically (a hidden sibling, fsync, rename, fsync of the
/// folder); the name replaced must be a regular file or nothing — never a device, a
/// FIFO, a folder, or a symbolic link that would carry the write elsewhere.
public enum FileDoor {
    /// What `st_mode` says a path is, in words for an error line.
    public static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: return "a regular file"
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a named pipe (FIFO)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }

    static func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// What stands at `path` itself (a link is not followed) when it is something other
    /// than a regular file — the names srdist writes must hold nothing else; nil when
    /// `path` is absent or a regular file.
    public static func foreignKind(at path: String) -> (kind: String, isLink: Bool)? {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG else { return nil }
        return (kind(info.st_mode), info.st_mode & S_IFMT == S_IFLNK)
    }

    /// Keeps `fd`, just opened with O_NONBLOCK, when `fstat` says it is a regular file,
    /// and puts it back in blocking mode; otherwise closes it and throws `refusal` of what
    /// it is (nil when `fstat` itself failed, with errno set).
    private static func keepRegular(_ fd: Int32, _ refusal: (mode_t?) -> String) throws -> Int32 {
        var info = stat()
        let described = fstat(fd, &info) == 0 ? info.st_mode : nil
        guard described.map({ $0 & S_IFMT == S_IFREG }) == true else {
            let message = refusal(described)
            close(fd)
            throw FileDoorError(message)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }

    // MARK: Reading

    /// Opens `path` read-only. Refuses anything but a regular file (after following
    /// symbolic links), without blocking on it.
    /// - Parameter what: what the file is for the caller ("checkpoint", "image", …), for messages.
    /// - Returns: the open descriptor (blocking mode restored), owned by the caller.
    /// - Throws: `FileDoorError`: missing, unreadable, or not a regular file.
    public static func openForReading(_ path: String, what: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw FileDoorError("\(path): no such \(what) file") }
            if code == ENXIO { throw FileDoorError("\(path): is a socket or an unconnected device, not a \(what) file") }
            throw FileDoorError("\(path): cannot open the \(what) file (\(errnoText(code)))")
        }
        return try keepRegular(fd) { mode in
            mode.map { "\(path): is \(kind($0)), not a \(what) file" } ?? "\(path): cannot read the \(what) file (\(errnoText()))"
        }
    }

    /// The size of the regular file open on `fd`.
    public static func size(of fd: Int32) -> Int {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int(info.st_size) : 0
    }

    /// Reads all of the regular file `path`, refusing it unread when it holds more than
    /// `maxBytes` (a limit the caller derives from what a valid file can need).
    /// - Throws: `FileDoorError` naming `path`: missing, not a regular file, too large,
    ///   or a read error (a file that shrinks while read is reported, not padded).
    public static func read(_ path: String, what: String, maxBytes: Int) throws -> [UInt8] {
        let fd = try openForReading(path, what: what)
        defer { close(fd) }
        let size = size(of: fd)
        guard size <= maxBytes else {
            throw FileDoorError("\(path): the \(what) file is \(size) bytes, more than the \(maxBytes) a valid one can need")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        try bytes.withUnsafeMutableBytes { raw in
            while done < size {
                let n = Foundation.read(fd, raw.baseAddress! + done, size - done)
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else { throw FileDoorError("\(path): cannot read the \(what) file (\(errnoText()))") }
                guard n > 0 else { throw FileDoorError("\(path): the \(what) file shrank while it was read (\(done) of \(size) bytes)") }
                done += n
            }
        }
        return bytes
    }

    // MARK: Writing

    /// Throws unless `path` is absent or a regular file (not followed if it is a link):
    /// what srdist may replace.
    /// - Parameter what: the output's role, for the message.
    public static func requireReplaceable(_ path: String, what: String) throws {
        if let foreign = foreignKind(at: path) {
            throw FileDoorError("\(path): the \(what) path is \(foreign.kind); srdist replaces only regular files — choose another path or remove it")
        }
    }

    /// Writes `bytes` to `path` atomically: a hidden sibling created exclusively, fsync,
    /// rename over `path`, fsync of the folder. `path` must be absent or a regular file;
    /// on any failure `path` is as it was and the sibling is removed.
    /// - Throws: `FileDoorError` naming the path and the system's reason.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, what: String) throws {
        try requireReplaceable(path, what: what)
        let temp = temporaryPath(for: path)
        do {
            try writeNew(bytes, to: temp)
            try replace(path, with: temp, what: what)
        } catch {
            unlink(temp)
            throw error
        }
    }

    /// Creates `path` (which must not exist: O_EXCL, never through a link), writes
    /// `bytes`, fsyncs and closes it, reporting the first failure by its system message.
    public static func writeNew(_ bytes: [UInt8], to path: String) throws {
        // A stale temporary of a crashed writer with the same pid is ours to replace;
        // anything else at the name is refused by O_EXCL below.
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG { unlink(path) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileDoorError("\(path): cannot create: \(errnoText())") }
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
        if let failure { throw FileDoorError("\(path): \(failure)") }
    }

    /// Renames `from` over `to` (atomic on one file system) once `to` is known to be
    /// absent or a regular file, and syncs the folder so the rename itself is durable.
    public static func replace(_ to: String, with from: String, what: String) throws {
        try requireReplaceable(to, what: what)
        guard rename(from, to) == 0 else { throw FileDoorError("\(to): cannot rename \(from) over it: \(errnoText())") }
        try syncFolder(URL(fileURLWithPath: to).deletingLastPathComponent().path)
    }

    /// Forces a folder's entries (new names) to the disk.
    public static func syncFolder(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileDoorError("\(path): cannot open for fsync: \(errnoText())") }
        defer { close(fd) }
        guard retryingEINTR({ fsync(fd) }) == 0 else { throw FileDoorError("\(path): fsync failed: \(errnoText())") }
    }

    /// `<folder>/.<name>.tmp-<pid>`: hidden, in the same folder (so the rename stays on
    /// one file system) and unique per writing process.
    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
    }

    /// Opens a file srdist keeps open and writes in place (a log, the run's lock),
    /// created 0644 when missing, refusing a symbolic link (O_NOFOLLOW) or anything but a
    /// regular file, without blocking on a FIFO.
    /// - Parameter append: write-only at the end (logs); else read-write (the lock).
    /// - Throws: `FileDoorError` naming the path.
    public static func openWritable(_ path: String, what: String, append: Bool) throws -> Int32 {
        let access = append ? O_WRONLY | O_APPEND : O_RDWR
        let fd = open(path, access | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0o644)
        guard fd >= 0 else {
            let code = errno
            if code == ELOOP { throw FileDoorError("\(path): the \(what) is a symbolic link; srdist writes only its own files — remove the link") }
            if code == ENXIO { throw FileDoorError("\(path): the \(what) path is a named pipe (FIFO) with no reader; srdist writes only regular files") }
            throw FileDoorError("\(path): cannot open the \(what) for writing (\(errnoText(code)))")
        }
        return try keepRegular(fd) { mode in
            "\(path): the \(what) path is \(kind(mode ?? 0)); srdist writes only regular files — remove it"
        }
    }

    private static func retryingEINTR(_ call: () -> Int32) -> Int32 {
        while true {
            let r = call()
            if r == 0 || errno != EINTR { return r }
        }
    }
}
