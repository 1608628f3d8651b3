import Foundation

/// The files srdist writes in a run folder are its own: a symbolic link there (to a
/// shared log, another run's metrics, a file elsewhere) is refused, not followed.
public enum RunFolderFiles {
    /// The names rank 0 writes directly in a run folder.
    /// (`checkpoints/` may be a link: a bigger disk for checkpoints is a real setup.)
    public static let names = ["config.json", "train.log", "metrics.jsonl"]

    /// Throws when one of `names` in `runDir` is a symbolic link.
    /// - Throws: `ConfigError` naming the link.
    public static func requireNoLinks(in runDir: String) throws {
        for name in names {
            let path = (runDir as NSString).appendingPathComponent(name)
            var info = stat()
            if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
                throw ConfigError("\(path): is a symbolic link; srdist writes only its own files in the run folder — remove the link")
            }
        }
    }

    /// Opens `path` for appending, creating it (mode 0644) when missing, without
    /// following a symbolic link (O_NOFOLLOW); nil when it cannot be opened so.
    public static func openForAppending(_ path: String) -> FileHandle? {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
        return fd >= 0 ? FileHandle(fileDescriptor: fd, closeOnDealloc: true) : nil
    }
}
