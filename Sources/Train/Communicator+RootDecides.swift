import Distributed
import Support

extension Communicator {
    /// Runs `body` on rank 0 and hands its result — or its error — to every rank, so
    /// all ranks throw the same error instead of some waiting in a collective.
    func rootDecides(_ body: () throws -> String) throws -> String {
        var message = ""
        if rank == 0 {
            do { message = "ok:" + (try body()) } catch { message = "error:" + describe(error) }
        }
        message = try broadcast(message, root: 0)
        if message.hasPrefix("error:") { throw CollectiveError(String(message.dropFirst(6))) }
        return String(message.dropFirst(3))
    }
}
