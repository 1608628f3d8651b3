import Foundation

/// Ranks disagree on something that must be identical everywhere (config, tensor
/// layout, code version, parameters). Every rank throws the same error.
public struct AgreementError: Error, LocalizedError, Equatable {
    /// The first rank found to differ from rank 0.
    public let rank: Int
    /// Names of the fingerprints in which it differs.
    public let fields: [String]
    public var errorDescription: String? {
        "rank \(rank) differs from rank 0 in \(fields.joined(separator: ", ")); start every rank with the same build, config and checkpoint"
    }
}

extension Communicator {
    /// Checks with one collective that every rank has the same fingerprints.
    ///
    /// - Parameter fingerprints: (name, hash) pairs in the same order on every rank, for
    ///   example `[("config", …), ("layout", …), ("code version", …)]`.
    /// - Throws: `AgreementError` naming the lowest differing rank and what differs,
    ///   thrown on every rank alike (rank 0 should print it; all then finalize).
    public func checkAgreement(_ fingerprints: [(name: String, hash: UInt64)]) throws {
        let all = try allgather(fingerprints.map(\.hash))
        for (r, hashes) in all.enumerated() where hashes != all[0] {
            let fields = fingerprints.indices.filter { hashes[$0] != all[0][$0] }.map { fingerprints[$0].name }
            throw AgreementError(rank: r, fields: fields)
        }
    }

    /// Copies rank 0's arenas (initial parameters; on resume also the optimiser's
    /// moments) to every rank, so all start from the same bits.
    ///
    /// - Parameter arenas: (base, count) of each buffer, in the same order on every rank.
    public func broadcastFromRoot(_ arenas: [(base: UnsafeMutablePointer<Float>, count: Int)]) throws {
        for a in arenas { try broadcast(UnsafeMutableBufferPointer(start: a.base, count: a.count), root: 0) }
    }
}
