import CMPI
import CMPIShims
import Foundation

/// How the watchdog learns which ranks did not arrive at a stalled collective: point-
/// to-point messages on a private duplicate of the world communicator, sent and polled
/// by the watchdog threads (MPI_THREAD_MULTIPLE) while the main threads sit in the
/// collective. A rank whose collective has been running for a while answers requests
/// with its step and collective; a rank that never answers is not in any collective —
/// stopped, stuck in computation or dead.
final class RollCall: @unchecked Sendable {
    private let comm: Communicator
    /// World rank of each of `comm`'s ranks.
    private let worldRanks: [Int]
    private var sends: [(request: MPI_Request?, buffer: [UInt8])] = []
    private var asked = 0
    private static let requestTag: Int32 = 7101, replyTag: Int32 = 7102

    /// Collective over `world` (every rank must create it at the same point).
    init(world: Communicator) throws {
        comm = try world.duplicate()
        worldRanks = world.members
    }

    /// This rank's world rank.
    var rank: Int { worldRanks[comm.rank] }

    /// Answers every pending request with `state` ("step|collective").
    func answer(_ state: String) {
        while let (source, text) = receive(tag: Self.requestTag) { send("\(text)|\(state)", to: source, tag: Self.replyTag) }
        finishSends()
    }

    /// Asks each of `members` (world ranks) but this one for its state and gathers the
    /// answers for up to `seconds`, answering other ranks' requests meanwhile.
    /// - Returns: the state each answering rank reported.
    func ask(_ members: [Int], state: String, seconds: Double) -> [Int: String] {
        asked += 1
        let id = "\(rank).\(asked)"
        for m in members where m != rank { send(id, to: m, tag: Self.requestTag) }
        var replies: [Int: String] = [:]
        let end = Date().addingTimeInterval(seconds)
        while Date() < end && replies.count < members.count - 1 {
            answer(state)
            while let (source, text) = receive(tag: Self.replyTag) {
                // "id|step|collective"; replies to an earlier request are stale.
                if text.hasPrefix(id + "|") { replies[source] = String(text.dropFirst(id.count + 1)) }
            }
            usleep(10_000)
        }
        return replies
    }

    private func send(_ text: String, to destination: Int, tag: Int32) {
        var entry: (request: MPI_Request?, buffer: [UInt8]) = (srdist_mpi_request_null(), Array(text.utf8))
        sends.append(entry)
        let i = sends.count - 1
        // The buffer lives in `sends` until the request completes.
        let code = sends[i].buffer.withUnsafeBytes { raw in
            MPI_Isend(raw.baseAddress, Int32(raw.count), srdist_mpi_byte(), Int32(worldRanks.firstIndex(of: destination) ?? destination),
                      tag, comm.handle, &entry.request)
        }
        if code == MPI_SUCCESS { sends[i].request = entry.request } else { sends.removeLast() }
    }

    private func finishSends() {
        sends.removeAll { entry in
            var request = entry.request, done: Int32 = 0
            return MPI_Test(&request, &done, srdist_mpi_status_ignore()) != MPI_SUCCESS || done != 0
        }
    }

    /// A pending message with `tag` from any rank, received, or nil.
    private func receive(tag: Int32) -> (Int, String)? {
        var found: Int32 = 0, status = MPI_Status()
        guard MPI_Iprobe(MPI_ANY_SOURCE, tag, comm.handle, &found, &status) == MPI_SUCCESS, found != 0 else { return nil }
        var count: Int32 = 0
        MPI_Get_count(&status, srdist_mpi_byte(), &count)
        var bytes = [UInt8](repeating: 0, count: Int(max(count, 1)))
        guard MPI_Recv(&bytes, count, srdist_mpi_byte(), status.MPI_SOURCE, tag, comm.handle, srdist_mpi_status_ignore()) == MPI_SUCCESS
        else { return nil }
        return (worldRanks[Int(status.MPI_SOURCE)], String(decoding: bytes.prefix(Int(count)), as: UTF8.self))
    }
}
