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

extension Communicator {
    /// The ranks of this communicator that are among the first `count` of their host
    /// (by rank), in rank order; the same list on every rank. Bounds per node what many
    /// ranks sharing few cores would each hold at once.
    public func firstRanksOnEachHost(_ count: Int) throws -> [Int] {
        let local = try sameHost().rank
        let chosen = try allgather([Int32(local < count ? 1 : 0)]).map { $0[0] }
        return chosen.indices.filter { chosen[$0] == 1 }
    }
}
