import Foundation

/// Small RAM filesystems mounted by tests to fill a disk or make a folder read-only.
public enum Tmpfs {
    /// Mounts a tmpfs of `size` (mount's notation, "512k") at `path`, creating the folder.
    /// Returns nil when mounted, otherwise mount's reason: the caller skips with
    /// `missingCapability("a tmpfs mount", reason)`.
    public static func mount(_ path: String, size: String) throws -> String? {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let r = try Executables.run("/usr/bin/env", ["mount", "-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path], timeout: 30)
        return r.status == 0 ? nil : r.output
    }

    /// Changes a mounted tmpfs's options ("ro", "size=1m"); true when mount succeeded.
    public static func remount(_ path: String, _ options: String) throws -> Bool {
        try Executables.run("/usr/bin/env", ["mount", "-o", "remount,\(options)", path], timeout: 30).status == 0
    }

    public static func unmount(_ path: String) {
        _ = try? Executables.run("/usr/bin/env", ["umount", path], timeout: 30)
    }
}
