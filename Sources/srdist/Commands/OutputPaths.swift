import Foundation

/// Checks that keep a command's outputs from replacing its inputs.
enum OutputPaths {
    /// The absolute path with `.`/`..` and symbolic links resolved (for a path that does
    /// not exist yet: its nearest existing folder resolved, the rest appended).
    static func resolved(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        if FileManager.default.fileExists(atPath: url.path) { return url.resolvingSymlinksInPath().path }
        let parent = url.deletingLastPathComponent()
        guard parent.path != url.path else { return url.path }
        return (resolved(parent.path) as NSString).appendingPathComponent(url.lastPathComponent)
    }

    /// Throws unless `output` is another file than `input` (also through links).
    static func requireDistinct(input: String, output: String, flag: String) throws {
        var a = stat(), b = stat()
        let sameInode = stat(input, &a) == 0 && stat(output, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino
        if sameInode || resolved(input) == resolved(output) {
            throw CommandLineError("\(output): \(flag) would overwrite the input \(input); choose another output")
        }
    }

    /// Throws when `output` is `folder` itself or lies inside it.
    static func requireOutside(_ output: String, folder: String, flag: String, what: String) throws {
        let (o, f) = (resolved(output), resolved(folder))
        if o == f || o.hasPrefix(f.hasSuffix("/") ? f : f + "/") {
            throw CommandLineError("\(output): \(flag) lies inside the \(what) \(folder), whose files it could overwrite; choose a folder outside it")
        }
    }
}
