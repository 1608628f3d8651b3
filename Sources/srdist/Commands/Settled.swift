import ArgumentParser
import Distributed
import Foundation
import Support

/// What a command that ran on `comm` throws after `error`, by the failure policy
/// (`Communicator.settle`): rank 0 prints the error's line as ArgumentParser would
/// ("Error: …") before MPI is finalized, and every rank exits 1 silently. An error of
/// this rank alone has already ended the job through MPI_Abort.
func settled(_ error: Error, on comm: Communicator) -> Error {
    comm.settle(error) { FileHandle.standardError.write(Data("Error: \(describe($0))\n".utf8)) }
    return ExitCode.failure
}
