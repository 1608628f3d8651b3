import Distributed
import Foundation

/// Rank `--rank` fails to read a file while the others wait in a barrier: its error
/// must reach MPI_Abort with its message and end the job.
func failOnOneRank(_ comm: Communicator, _ args: Arguments) throws {
    if comm.rank == args.int("rank", 1) {
        let path = "/nonexistent/srdist-\(comm.rank).png"
        if FileManager.default.contents(atPath: path) == nil { comm.abort(message: "\(path): cannot read the image") }
    }
    try comm.barrier()
    say(comm, "fail: the failing rank did not end the job")
}

/// Steps of small allreduces; rank `--rank` SIGKILLs itself at step `--step`. The
/// survivors are left in a collective: mpirun must end the job on its own.
func killOneRank(_ comm: Communicator, _ args: Arguments) throws {
    for step in 0..<1_000_000 {
        if comm.rank == args.int("rank", 1) && step == args.int("step", 3) {
            say(comm, "killing myself at step \(step)")
            kill(getpid(), SIGKILL)
        }
        _ = try comm.allreduce([Double(step)], .sum)
        usleep(10_000)
    }
    say(comm, "kill: still running")
}

/// Rank `--rank` sleeps `--seconds` before a barrier; the others' watchdog (run with
/// a short `--watchdog`) must abort the job naming the collective and the step.
func stallOneRank(_ comm: Communicator, _ args: Arguments) throws {
    comm.watchdog?.step = 5
    if comm.rank == args.int("rank", 1) { sleep(UInt32(args.int("seconds", 60))) }
    try comm.barrier()
    say(comm, "stall: the watchdog did not fire")
}

/// `failTogether` with the same error on every rank (`--rank` omitted) or on rank
/// `--rank` alone: both end collectively (rank 0 prints the line once, no abort).
func failTogether(_ comm: Communicator, _ args: Arguments) throws {
    let failing = args.string("rank").flatMap { Int($0) }
    try comm.failTogether {
        if failing == nil || failing == comm.rank {
            throw HarnessFailure("/nonexistent/dataset: no such folder (rank \(comm.rank))")
        }
    }
    say(comm, "fail-together: nobody failed")
}
