import Foundation
import Support

extension Communicator {
    /// The ranks of this communicator that run on this host (same host name), in
    /// rank order: what shares a node-local disk and a page cache.
    public func sameHost() throws -> Communicator {
        guard size > 1 else { return self }
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count - 1)
        let tag = StableHash.of(String(cString: name))
        let tags = try allgather([tag]).map { $0[0] }
        // Colour: the lowest rank on the same host, so every host gets its own group.
        return try split(color: tags.firstIndex(of: tag)!, key: rank)!
    }
}
