import Distributed
import Foundation
import Models
import Support

let checkSizes = [0, 1, 7, 1000, 65_537, 1_369_859]

/// Blocking and non-blocking allreduce of every element type and op, at sizes from
/// empty to EDSR-baseline's arena. Values are small integers, so every summation order
/// gives the exact answer.
func checkAllreduce(_ comm: Communicator, _ args: Arguments) throws {
    let n = comm.size, r = comm.rank
    for count in checkSizes {
        let pattern = (0..<count).map { $0 % 1000 }
        try expect(comm.allreduce(pattern.map { Float((r + 1) * $0) }, .sum) == pattern.map { Float($0 * n * (n + 1) / 2) },
                   "Float sum, \(count) elements")
        try expect(comm.allreduce(pattern.map { Float(r * 1000 + $0) }, .max) == pattern.map { Float((n - 1) * 1000 + $0) },
                   "Float max, \(count) elements")
        try expect(comm.allreduce(pattern.map { Double(r * 1000 + $0) }, .min) == pattern.map { Double($0) },
                   "Double min, \(count) elements")
        try expect(comm.allreduce(pattern.map { Int32(r - $0) }, .sum) == pattern.map { Int32(n * (n - 1) / 2 - n * $0) },
                   "Int32 sum, \(count) elements")
        let send = pattern.map { Float($0 + r) }
        var receive = [Float](repeating: .nan, count: count)
        try send.withUnsafeBufferPointer { s in
            try receive.withUnsafeMutableBufferPointer { d in
                guard count > 0 else { return }
                let request = try comm.iallreduce(send: s.baseAddress!, receive: d.baseAddress!, count: count, .sum)
                while try !request.test() {}
            }
        }
        try expect(receive == pattern.map { Float($0 * n + n * (n - 1) / 2) }, "Float iallreduce, \(count) elements")
    }
    let big: [UInt64] = [UInt64.max - UInt64(comm.rank), 1 << 63]
    try expect(comm.allreduce(big, .max) == [UInt64.max, 1 << 63], "UInt64 max")
    try expect(comm.allreduce([Int64(1) << 40], .sum) == [Int64(n) << 40], "Int64 sum")
    say(comm, "allreduce ok (sizes \(checkSizes.map(String.init).joined(separator: ",")))")
}

/// Bucketed overlapped allreduce against a plain allreduce, for several bucket plans.
/// Each "layer" writes its gradients just before reporting them ready (the arena
/// starts as NaN), so a bucket started too early shows up as NaN.
func checkBuckets(_ comm: Communicator, _ args: Arguments) throws {
    let count = args.int("count", 100_003)
    let layer = 997
    let bounds = stride(from: count, through: 0, by: -layer).map { $0 } + [0]
    let grads = Arena(count: count)
    for (bucket, first) in [(1, 1), (10_000, 1_000), (1 << 30, 1 << 30)] {
        let ranges = GradientBuckets.plan(count: count, boundaries: bounds, bucketSize: bucket, firstBucketSize: first)
        let buckets = GradientBuckets(communicator: comm, gradients: grads.base, count: count, ranges: ranges)
        for step in 0..<2 {
            grads.base.update(repeating: .nan, count: count)
            let value = { (i: Int) in Float((i &* 31 &+ comm.rank &* 7 &+ step) % 2001 - 1000) }
            for i in 1..<bounds.count {
                for j in bounds[i]..<bounds[i - 1] { grads.base[j] = value(j) }
                buckets.ready(from: bounds[i])
            }
            try buckets.finish()
            var expected = (0..<count).map(value)
            try expected.withUnsafeMutableBufferPointer { try comm.allreduce($0, .sum) }
            try expect(Array(grads.buffer) == expected,
                       "buckets (size \(bucket), first \(first), \(ranges.count) buckets) differ from a plain allreduce at step \(step)")
        }
    }
    say(comm, "buckets ok")
}

/// Broadcast of floats from the first and the last rank, and of a string.
func checkBroadcast(_ comm: Communicator, _ args: Arguments) throws {
    // An array, not a Set: every rank must visit the roots in the same order.
    for root in comm.size > 1 ? [0, comm.size - 1] : [0] {
        var values = (0..<10_000).map { Float(comm.rank == root ? $0 : -1) }
        try values.withUnsafeMutableBufferPointer { try comm.broadcast($0, root: root) }
        try expect(values == (0..<10_000).map(Float.init), "broadcast from rank \(root)")
    }
    let text = try comm.broadcast(comm.rank == 0 ? "{\"name\": \"édsr\"}" : "", root: 0)
    try expect(text == "{\"name\": \"édsr\"}", "string broadcast, got \(text)")
    // A bad argument comes back as MPIError (MPI_ERRORS_RETURN), not as a dead job.
    var one: [Float] = [0]
    do {
        try one.withUnsafeMutableBufferPointer { try comm.broadcast($0, root: comm.size) }
        try expect(false, "broadcast from a missing root did not fail")
    } catch let error as MPIError {
        try expect(error.function == "MPI_Bcast" && error.message.contains("root"), "unexpected error \(error)")
        say(comm, "\(error)")
    }
    say(comm, "broadcast ok")
}

/// Splits by parity with reversed keys; rank 0 joins no group when there are > 2 ranks.
/// Then splits by host.
func checkSplit(_ comm: Communicator, _ args: Arguments) throws {
    let optOut = comm.size > 2 && comm.rank == 0
    let sub = try comm.split(color: optOut ? nil : comm.rank % 2, key: -comm.rank)
    if optOut {
        try expect(sub == nil, "rank 0 passed no color but got a communicator")
    } else {
        let members = (0..<comm.size).filter { $0 % 2 == comm.rank % 2 && !(comm.size > 2 && $0 == 0) }
        let sub = try sub.unwrap("split returned nil")
        try expect(sub.size == members.count, "sub size \(sub.size), expected \(members.count)")
        try expect(sub.rank == members.count - 1 - members.firstIndex(of: comm.rank)!, "sub rank \(sub.rank) not in reversed key order")
        try expect(sub.allreduce([Int64(comm.rank)], .sum) == [Int64(members.reduce(0, +))], "sum over the sub-communicator")
    }
    // Every rank of an mpirun on this machine shares its host.
    let host = try comm.sameHost()
    try expect(host.size == comm.size && host.rank == comm.rank, "sameHost: \(host.rank) of \(host.size)")
    try comm.barrier()
    say(comm, "split ok")
}

/// Start-up agreement on config, layout and code version; `--differ RANK:FIELD` makes
/// one rank differ, which must stop every rank with one line from rank 0.
func checkAgreement(_ comm: Communicator, _ args: Arguments) throws {
    let model = EDSR(EDSRConfig(scale: 2, blocks: 1, features: 4, resScale: 1), seed: 1)
    var fingerprints: [(name: String, hash: UInt64)] = [
        ("config", StableHash.of("{\"batch_size\": 16}")),
        ("layout", StableHash.of(model.layout.views.map { "\($0.name)\($0.shape)" }.joined(separator: ";"))),
        ("code version", try StableHash.ofExecutable()),
    ]
    if let differ = args.string("differ") {
        let parts = differ.split(separator: ":", maxSplits: 1).map(String.init)
        if Int(parts[0]) == comm.rank, let i = fingerprints.firstIndex(where: { $0.name == parts[1] }) {
            fingerprints[i].hash ^= 1
        }
    }
    try comm.checkAgreement(fingerprints)
    say(comm, "agree ok")
}

extension Optional {
    func unwrap(_ message: String) throws -> Wrapped {
        guard let self else { throw HarnessFailure(message) }
        return self
    }
}
