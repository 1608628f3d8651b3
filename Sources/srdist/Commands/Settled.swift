import ArgumentParser
import Distributed

/// What a command that ran on `comm` throws after `error`, by the failure policy
/// (`Communicator.settle`): on rank 0 the error itself (ArgumentParser prints it once
/// and exits 1), on the other ranks a silent exit 1. An error of this rank alone has
/// already ended the job through MPI_Abort.
func settled(_ error: Error, on comm: Communicator) -> Error {
    comm.settle(error) ?? ExitCode.failure
}
