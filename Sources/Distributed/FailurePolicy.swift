import CMPI
import CMPIShims
import Foundation
import Support

// srdist's two ways to fail under MPI (LAMMPS's `Error::all` and `Error::one`):
//
// - All ranks fail together: every rank holds the same error (a `CollectiveFailure`:
//   a rank-0 decision broadcast by `rootDecides`, a failed start-up agreement, a stop
//   agreed in a step, a user error every rank hit inside `failTogether`). Rank 0
//   prints it once, every rank finalizes MPI and exits with the same code, and Open
//   MPI prints no abort banner.
// - One rank fails: the error is this rank's alone (a bad image in its share, an MPI
//   error). It prints `rank N: line` and ends the job through `MPI_Abort`, so the
//   others are not left waiting in a collective.
//
// `settle(_:)` applies the policy to whatever error reached a command's top level.

/// An error every rank of the communicator holds alike, known to all through a
/// collective: ending on it needs no abort.
public protocol CollectiveFailure: Error {}

/// A `CollectiveFailure` carrying one line (rank 0's, where the ranks' lines differ).
public struct CollectiveError: CollectiveFailure, LocalizedError, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
    public var errorDescription: String? { description }
}

extension AgreementError: CollectiveFailure {}

extension Communicator {
    /// Runs `body` on every rank, then agrees in one allreduce whether it failed: on no
    /// rank, its value; on every rank (a missing dataset, a config every rank reads
    /// alike), a `CollectiveError` with this rank's line, so rank 0 reports it once; on
    /// some ranks only, a `CollectiveError` on every rank with the lowest failed rank's
    /// line (`rank N: …`): the job still ends in one line and one exit code, with no
    /// abort — mpirun never has to kill ranks that would then report a stop signal.
    /// `body` must make no collective call (a failed rank would leave the others waiting
    /// in it).
    public func failTogether<T>(_ body: () throws -> T) throws -> T {
        let outcome = Result(catching: body)
        var failed: Int32 = 0
        if case .failure = outcome { failed = 1 }
        let failures = try allreduce([failed], .sum)[0]
        if case let .success(value) = outcome, failures == 0 { return value }
        if case let .failure(error) = outcome, failures == Int32(size) { throw CollectiveError(describe(error)) }
        let first = Int(try allreduce([failed == 1 ? Int32(rank) : Int32(size)], .min)[0])
        var line = ""
        if case let .failure(error) = outcome, rank == first { line = describe(error) }
        throw CollectiveError("rank \(first): " + (try broadcast(line, root: first)))
    }

    /// One rank fails: prints `rank N: message` on standard error and ends the whole job
    /// through `MPI_Abort`, so mpirun stops every rank instead of leaving them waiting.
    public func abort(message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data("rank \(rank): \(message)\n".utf8))
        MPI_Abort(srdist_mpi_comm_world(), code)
        exit(code)  // MPI_Abort does not return; this keeps the compiler and a broken MPI honest
    }

    /// Ends a command that `error` stopped on this rank, by the policy above. A
    /// `CollectiveFailure` (or any error in a single process) is handed to `report` on
    /// rank 0 only, then every rank finalizes MPI; the caller exits with the same code on
    /// every rank. Any other error under mpirun is this rank's alone: it aborts the job
    /// with its line and does not return.
    ///
    /// The line goes out before any rank can leave (the barrier): mpirun kills the
    /// remaining ranks as soon as one exits non-zero, rank 0 with its unprinted line.
    public func settle(_ error: Error, report: (Error) -> Void) {
        guard error is CollectiveFailure || size == 1 else { abort(message: describe(error)) }
        if rank == 0 { report(error) }
        try? barrier()
        try? Communicator.finalize()
    }
}
