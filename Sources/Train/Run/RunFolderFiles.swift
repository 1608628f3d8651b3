import Foundation
import Support

/// The files srdist writes in a run folder are its own: a symbolic link there (to a
/// shared log, another run's metrics, a file elsewhere) is refused, not followed.
public enum RunFolderFiles {
    /// The names rank 0 writes directly in a run folder.
    /// (`checkpoints/` may be a link: a bigger disk for checkpoints is a real setup.)
    public static let names = ["config.json", "train.log", "metrics.jsonl"]

    /// Throws when one of `names` in `runDir` exists as anything but a regular file:
    /// a symbolic link, a FIFO (writing would block), a device, a folder.
    /// - Throws: `ConfigError` naming the path.
    public static func requireRegularFiles(in runDir: String) throws {
        for name in names {
            let path = (runDir as NSString).appendingPathComponent(name)
            guard let foreign = FileDoor.foreignKind(at: path) else { continue }
            if foreign.isLink {
                throw ConfigError("\(path): is a symbolic link; srdist writes only its own files in the run folder — remove the link")
            }
            throw ConfigError("\(path): is \(foreign.kind), not a regular file; srdist writes its own \(name) there — remove it")
        }
    }

}
