// mpi-harness: scenarios for the Distributed layer, run under mpirun by
// DistributedTests (and by hand for the benchmarks). Each scenario prints lines that
// start with "rank N:" and ends with "<scenario> ok" on success.
//
//     mpirun -np 2 mpi-harness allreduce
//     mpirun -np 4 mpi-harness train --steps 3 --batch 6 --out /tmp/p.bin
//     mpirun -np 2 mpi-harness bench-edsr --threads 1
//
// Common option: --watchdog SECONDS (default 60) for every blocking collective.
import Distributed
import Foundation
import Support

let arguments = Arguments(CommandLine.arguments.dropFirst())
let scenarios: [String: (Communicator, Arguments) throws -> Void] = [
    "allreduce": checkAllreduce,
    "buckets": checkBuckets,
    "broadcast": checkBroadcast,
    "split": checkSplit,
    "agree": checkAgreement,
    "train": runTraining,
    "clip": checkGradientClipping,
    "fail": failOnOneRank,
    "fail-together": failTogether,
    "kill": killOneRank,
    "stall": stallOneRank,
    "bench-overlap": benchOverlap,
    "bench-edsr": benchEDSR,
]
guard let name = arguments.scenario, let scenario = scenarios[name] else {
    print("usage: mpi-harness <\(scenarios.keys.sorted().joined(separator: "|"))> [--key value ...]")
    exit(2)
}

let comm: Communicator
do { comm = try Communicator.initialize(threadLevel: .multiple) } catch {
    print("mpi-harness: \(describe(error))")
    exit(1)
}
// Every scenario runs under the watchdog, so a hang ends with a message, not a test timeout.
comm.startWatchdog(timeout: arguments.double("watchdog", 60))
setvbuf(stdout, nil, _IOLBF, 0)  // whole lines, so ranks' output interleaves by line
do {
    try scenario(comm, arguments)
    try Communicator.finalize()
} catch {
    // The product's failure policy: a collective failure is printed once by rank 0,
    // a failure of one rank aborts the job with its line.
    comm.settle(error) { print("error: \(describe($0))"); fflush(stdout) }
    exit(1)
}

/// A collective stop decided by `StepAgreement` that ends the run unsuccessfully.
struct StopError: CollectiveFailure, LocalizedError {
    let reason: StopReason
    var errorDescription: String? { reason.description }
}
