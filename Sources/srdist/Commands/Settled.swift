import ArgumentParser
import Distributed
import Foundation
import Support
import Train

/// What a command that ran on `comm` throws after `error`, by the failure policy
/// (`Communicator.settle`): rank 0 prints the error's line as ArgumentParser would
/// ("Error: …") before MPI is finalized, and every rank exits 1 silently. An error of
/// this rank alone has already ended the job through MPI_Abort.
func settled(_ error: Error, on comm: Communicator) -> Error {
    comm.settle(error) { FileHandle.standardError.write(Data("Error: \(describe($0))\n".utf8)) }
    return ExitCode.failure
}

/// The config, read on every rank after MPI starts: a file every rank refuses alike is
/// one line from rank 0, not one per rank.
func loadConfig(_ path: String, overrides: [String], on comm: Communicator) throws -> Config {
    do { return try comm.failTogether { try Config.load(path: path, overrides: overrides) } } catch { throw settled(error, on: comm) }
}
