import CMPI
import CMPIShims

/// An outstanding non-blocking operation. Open MPI 4.1 has no progress thread: the
/// operation advances only while some MPI call runs, so callers poll `test()`.
public final class Request {
    private var handle: MPI_Request?

    init(_ handle: MPI_Request) { self.handle = handle }

    /// True once the operation has completed (the request is then released).
    public var isComplete: Bool { handle == srdist_mpi_request_null() }

    /// Advances MPI and reports whether the operation has completed.
    public func test() throws -> Bool {
        if isComplete { return true }
        var done: Int32 = 0
        try check("MPI_Test", MPI_Test(&handle, &done, srdist_mpi_status_ignore()))
        return done != 0
    }

    /// Blocks until the operation completes.
    public func wait() throws {
        if isComplete { return }
        try check("MPI_Wait", MPI_Wait(&handle, srdist_mpi_status_ignore()))
    }
}
