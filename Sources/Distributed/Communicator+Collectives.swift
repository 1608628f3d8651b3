import CMPI
import CMPIShims

extension Communicator {
    /// Reduces `buffer` element-wise over all ranks, in place; every rank gets the result.
    public func allreduce<T: MPIScalar>(_ buffer: UnsafeMutableBufferPointer<T>, _ op: ReduceOp) throws {
        guard size > 1, let base = buffer.baseAddress else { return }
        try watched("MPI_Allreduce") {
            try check("MPI_Allreduce", MPI_Allreduce(srdist_mpi_in_place(), base, mpiCount(buffer.count), T.mpiType, op.handle, handle))
        }
    }

    /// Reduces a small array over all ranks and returns the result.
    public func allreduce<T: MPIScalar>(_ values: [T], _ op: ReduceOp) throws -> [T] {
        var out = values
        try out.withUnsafeMutableBufferPointer { try allreduce($0, op) }
        return out
    }

    /// Starts reducing `count` elements of `send` into `receive` (separate buffers:
    /// Open MPI 4.1 falls back to a slow tree for in-place non-blocking reductions).
    /// Both buffers must stay valid and untouched until the request completes.
    public func iallreduce<T: MPIScalar>(send: UnsafePointer<T>, receive: UnsafeMutablePointer<T>, count: Int,
                                         _ op: ReduceOp) throws -> Request {
        var request: MPI_Request? = srdist_mpi_request_null()
        try check("MPI_Iallreduce", MPI_Iallreduce(send, receive, mpiCount(count), T.mpiType, op.handle, handle, &request))
        return Request(request!)
    }

    /// Copies `buffer` from rank `root` to every rank.
    public func broadcast<T: MPIScalar>(_ buffer: UnsafeMutableBufferPointer<T>, root: Int = 0) throws {
        guard size > 1, let base = buffer.baseAddress else { return }
        try watched("MPI_Bcast") {
            try check("MPI_Bcast", MPI_Bcast(base, mpiCount(buffer.count), T.mpiType, Int32(root), handle))
        }
    }

    /// Broadcasts `bytes` (any length; only `root`'s are read) from `root`.
    public func broadcast(_ bytes: [UInt8], root: Int = 0) throws -> [UInt8] {
        var length = [Int64(bytes.count)]
        try length.withUnsafeMutableBufferPointer { try broadcast($0, root: root) }
        var result = rank == root ? bytes : [UInt8](repeating: 0, count: Int(length[0]))
        try result.withUnsafeMutableBufferPointer { try broadcast($0, root: root) }
        return result
    }

    /// Broadcasts a string (for example a config file's text) from `root`.
    public func broadcast(_ text: String, root: Int = 0) throws -> String {
        String(decoding: try broadcast(Array(text.utf8), root: root), as: UTF8.self)
    }

    /// Gathers `values` (the same count on every rank) from every rank to every rank.
    ///
    /// - Returns: `size` arrays; element `r` is rank r's `values`.
    public func allgather<T: MPIScalar>(_ values: [T]) throws -> [[T]] {
        guard size > 1 else { return [values] }
        let total = values.count * size
        let all = try [T](unsafeUninitializedCapacity: total) { recv, initialized in
            try values.withUnsafeBufferPointer { send in
                try watched("MPI_Allgather") {
                    try check("MPI_Allgather", MPI_Allgather(send.baseAddress, mpiCount(values.count), T.mpiType,
                                                             recv.baseAddress, mpiCount(values.count), T.mpiType, handle))
                }
            }
            initialized = total
        }
        return (0..<size).map { Array(all[($0 * values.count)..<(($0 + 1) * values.count)]) }
    }

    /// Gathers every rank's `bytes` (of any length) on rank `root`.
    ///
    /// - Returns: on `root`, `size` arrays (element r is rank r's bytes); elsewhere none.
    public func gather(_ bytes: [UInt8], root: Int) throws -> [[UInt8]] {
        guard size > 1 else { return [bytes] }
        var counts = [Int32](repeating: 0, count: size)
        var mine = [mpiCount(bytes.count)]
        try watched("MPI_Gather") {
            try check("MPI_Gather", MPI_Gather(&mine, 1, Int32.mpiType, &counts, 1, Int32.mpiType, Int32(root), handle))
        }
        let offsets = counts.indices.map { Int(counts[..<$0].reduce(0, +)) }
        var all = [UInt8](repeating: 0, count: rank == root ? Int(counts.reduce(0, +)) : 0)
        var displacements = offsets.map { mpiCount($0) }
        try bytes.withUnsafeBufferPointer { send in
            try all.withUnsafeMutableBufferPointer { receive in
                try watched("MPI_Gatherv") {
                    try check("MPI_Gatherv", MPI_Gatherv(send.baseAddress, mine[0], UInt8.mpiType, receive.baseAddress, &counts,
                                                         &displacements, UInt8.mpiType, Int32(root), handle))
                }
            }
        }
        guard rank == root else { return [] }
        return counts.indices.map { Array(all[offsets[$0]..<(offsets[$0] + Int(counts[$0]))]) }
    }
}
