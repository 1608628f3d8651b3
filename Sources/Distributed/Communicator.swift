import CMPI
import CMPIShims
import Foundation
import Support

/// The thread support a process asks MPI for (`MPI_Init_thread`), weakest first.
public enum ThreadLevel: Int32, Comparable, Sendable, CustomStringConvertible {
    /// One thread only.
    case single = 0
    /// Only the main thread calls MPI.
    case funneled = 1
    /// Any thread may call MPI, one at a time.
    case serialized = 2
    /// Any thread, concurrently: what the watchdog needs to abort while the main
    /// thread is blocked in a collective.
    case multiple = 3

    public static func < (a: ThreadLevel, b: ThreadLevel) -> Bool { a.rawValue < b.rawValue }
    public var description: String { ["single", "funneled", "serialized", "multiple"][Int(rawValue)] }
}

/// MPI start-up failed in a way the user has to fix (the thread level is not there).
public struct MPISetupError: OneLineError {
    public let message: String
    init(_ message: String) { self.message = message }
}

/// A group of ranks that talk through MPI: the only type in srdist that touches MPI.
///
/// Every call goes through `check` and throws `MPIError`. A process started without
/// mpirun is an MPI singleton (size 1), so single-process runs and tests need no
/// launcher; all collectives then reduce to copies or nothing.
public final class Communicator: @unchecked Sendable {
    /// This process's index in `0..<size`.
    public let rank: Int
    /// Number of ranks in the communicator.
    public let size: Int
    /// The thread support MPI granted this process.
    public let threadLevel: ThreadLevel
    /// When set, blocking collectives are watched: one that does not finish within the
    /// watchdog's timeout aborts the job with the rank, step and collective.
    public var watchdog: Watchdog?
    /// World ranks of this communicator's ranks, in rank order (the watchdog names them).
    public private(set) var members: [Int]

    let handle: MPI_Comm
    private let owned: Bool

    private init(handle: MPI_Comm, threadLevel: ThreadLevel, owned: Bool) throws {
        try check("MPI_Comm_set_errhandler", MPI_Comm_set_errhandler(handle, srdist_mpi_errors_return()))
        var r: Int32 = 0, n: Int32 = 0
        try check("MPI_Comm_rank", MPI_Comm_rank(handle, &r))
        try check("MPI_Comm_size", MPI_Comm_size(handle, &n))
        (self.handle, self.threadLevel, self.owned, rank, size) = (handle, threadLevel, owned, Int(r), Int(n))
        members = Array(0..<size)
    }

    deinit {
        var h: MPI_Comm? = handle
        if owned && !Communicator.isFinalized { MPI_Comm_free(&h) }
    }

    /// Starts MPI (once per process; later calls return another handle on the world)
    /// and returns `MPI_COMM_WORLD`.
    ///
    /// - Parameter threadLevel: the least thread support the caller needs.
    /// - Throws: `MPISetupError` if MPI grants less than `threadLevel`; `MPIError`.
    public static func initialize(threadLevel: ThreadLevel) throws -> Communicator {
        var done: Int32 = 0
        try check("MPI_Initialized", MPI_Initialized(&done))
        var provided: Int32 = 0
        if done != 0 {
            try check("MPI_Query_thread", MPI_Query_thread(&provided))
        } else {
            try check("MPI_Init_thread", MPI_Init_thread(nil, nil, threadLevel.rawValue, &provided))
        }
        let level = ThreadLevel(rawValue: provided) ?? .single
        guard level >= threadLevel else {
            throw MPISetupError("MPI provides thread level \(level), srdist needs \(threadLevel) (rebuild Open MPI with thread support)")
        }
        return try Communicator(handle: srdist_mpi_comm_world(), threadLevel: level, owned: false)
    }

    /// Ends MPI for this process; every rank must call it after its last collective.
    public static func finalize() throws {
        if !isFinalized { try check("MPI_Finalize", MPI_Finalize()) }
    }

    static var isFinalized: Bool {
        var flag: Int32 = 0
        MPI_Finalized(&flag)
        return flag != 0
    }

    /// Splits into sub-communicators of the ranks that pass the same `color`, ordered
    /// by `key` (ties by rank). Collective over this communicator.
    ///
    /// - Parameters:
    ///   - color: the group to join, or nil to join none.
    ///   - key: the order inside the group.
    /// - Returns: the new communicator, or nil where `color` was nil.
    public func split(color: Int?, key: Int) throws -> Communicator? {
        var out: MPI_Comm? = srdist_mpi_comm_null()
        try watched("MPI_Comm_split") {
            try check("MPI_Comm_split", MPI_Comm_split(handle, Int32(color ?? Int(MPI_UNDEFINED)), Int32(key), &out))
        }
        // Each new group gathers its members' world ranks, for the watchdog's messages.
        let worldRank = members[rank]
        guard let out, out != srdist_mpi_comm_null() else { return nil }
        let sub = try Communicator(handle: out, threadLevel: threadLevel, owned: true)
        sub.members = try sub.allgather([Int64(worldRank)]).map { Int($0[0]) }
        return sub
    }

    /// A new communicator over the same ranks, for traffic that must not mix with this
    /// one's (collective).
    func duplicate() throws -> Communicator {
        var out: MPI_Comm? = srdist_mpi_comm_null()
        try check("MPI_Comm_dup", MPI_Comm_dup(handle, &out))
        let dup = try Communicator(handle: out!, threadLevel: threadLevel, owned: true)
        dup.members = members
        return dup
    }

    /// Waits until every rank has reached this call.
    public func barrier() throws {
        try watched("MPI_Barrier") { try check("MPI_Barrier", MPI_Barrier(handle)) }
    }

    /// Runs a blocking collective under the watchdog, if there is one.
    @inline(__always)
    func watched<T>(_ collective: String, _ body: () throws -> T) rethrows -> T {
        guard let watchdog else { return try body() }
        watchdog.arm(collective, members: members)
        defer { watchdog.disarm() }
        return try body()
    }
}
