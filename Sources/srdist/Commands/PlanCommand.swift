import ArgumentParser
import Distributed
import Foundation
import Kernels
import Machine
import Train

/// `srdist plan --config C --nodes 16 --ranks-per-node 4 --threads 16 --link 25gbit`:
/// predicted seconds per step, samples/s, time and core-hours to the config's step count,
/// and the network's exposed share, for one cluster size or a sweep, from a short
/// measurement of training steps on this node and the allreduce model (`AllreduceModel`).
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Predict a run's step time, throughput, duration and core-hours on a cluster, before booking it.")

    /// The run to plan: model, global batch, patch, steps, buckets.
    @Option(help: "Config file of the run to plan.")
    var config: String

    /// Config overrides, e.g. --set train.batch_size=32 (repeatable).
    @Option(name: .customLong("set"), help: "Override a config key (repeatable).")
    var overrides: [String] = []

    /// Node counts: one (`16`) or a comma-separated sweep (`1,2,4,8,16`).
    @Option(help: "Nodes: a count or a comma-separated sweep, e.g. 1,2,4,8,16.")
    var nodes: String

    /// MPI ranks on each node.
    @Option(help: "Ranks per node.")
    var ranksPerNode = 1

    /// Threads of each rank on the target nodes.
    @Option(help: "Threads per rank on the target nodes.")
    var threads: Int

    /// One node's network link: `10gbit`, `25gbit`, `100mbit`, …
    @Option(help: "Network link per node, e.g. 10gbit, 25gbit, 100mbit.")
    var link = "10gbit"

    /// Seconds per message across the network, in microseconds.
    @Option(help: "Network latency per message in µs (MPI over TCP: 20–50).")
    var latencyUs = 20.0

    /// Timed steps per measured share (their median counts).
    @Option(help: "Timed steps per measured share (median).")
    var steps = 2

    /// One JSON object instead of the table.
    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard parsedNodes != nil else { throw CommandLineError("--nodes must be a positive count or a comma-separated list of them, got \"\(nodes)\"") }
        guard AllreduceModel.linkSpeed(link) != nil else { throw CommandLineError("--link must look like 10gbit or 100mbit, got \"\(link)\"") }
        guard ranksPerNode >= 1, threads >= 1, steps >= 1 else { throw CommandLineError("--ranks-per-node, --threads and --steps must be at least 1") }
        guard latencyUs >= 0, latencyUs.isFinite else { throw CommandLineError("--latency-us must not be negative") }
    }

    private var parsedNodes: [Int]? {
        let list = nodes.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !list.isEmpty, list.count <= 64, let counts = list as? [Int], counts.allSatisfy({ (1...1_000_000).contains($0) }) else { return nil }
        return counts
    }

    func run() throws {
        var cfg = try Config.load(path: config, overrides: overrides)
        let blas = try startUpCheck()
        let comm = try Communicator.initialize(threadLevel: .funneled)
        defer { try? Communicator.finalize() }
        guard comm.size == 1 else { throw CommandLineError("plan measures one process: run it without mpirun") }
        let sweep = parsedNodes!
        let network = AllreduceModel(linkBytesPerSecond: AllreduceModel.linkSpeed(link)!, linkLatency: latencyUs * 1e-6)
        // This node runs at most its own cores; more threads are assumed to scale linearly.
        let here = min(threads, ProcessInfo.processInfo.activeProcessorCount)
        cfg.train.threadsPerRank = .fixed(here)
        let model = cfg.model.makeNetwork(seed: cfg.train.seed, kernels: KernelContext(try cfg.kernelSettings()))
        let plan = ClusterPlan(config: cfg, ranksPerNode: ranksPerNode, threads: threads, network: network, model: model)
        let shares = sweep.compactMap(plan.share(nodes:))
        guard let smallest = shares.min(), let largest = shares.max() else {
            throw CommandLineError("every node count gives more ranks than the global batch of \(cfg.train.batchSize) samples")
        }
        var measured: [Int: Double] = [:]
        for n in Set([smallest, largest]).sorted() { measured[n] = try measure(cfg, share: n) * Double(here) / Double(threads) }
        // Shares between the two measured ones: linear in the samples (a fixed part, the update, plus a part per sample).
        func compute(_ n: Int) -> Double {
            guard largest > smallest else { return measured[n]! }
            let (a, b) = (measured[smallest]!, measured[largest]!)
            return a + (b - a) * Double(n - smallest) / Double(largest - smallest)
        }
        let rows = sweep.filter { plan.share(nodes: $0) != nil }.map { plan.row(nodes: $0, computeSeconds: compute(plan.share(nodes: $0)!)) }
        let skipped = sweep.filter { plan.share(nodes: $0) == nil }
        let assumptions = self.assumptions(plan, measuredThreads: here, blas: blas, skipped: skipped)
        if json {
            let object: [String: Any] = ["config": cfg.name, "parameters": model.layout.count, "global_batch": cfg.train.batchSize,
                                         "steps": cfg.train.steps, "ranks_per_node": ranksPerNode, "threads": threads, "link": link,
                                         "latency_us": latencyUs, "measured_seconds": measured.map { ["share": $0.key, "seconds": $0.value] },
                                         "rows": rows.map(\.json), "assumptions": assumptions]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            return
        }
        let m = cfg.model
        print("srdist plan: \(cfg.name): \(m.arch.rawValue.uppercased()) ×\(m.scales.map(String.init).joined(separator: "/")) B\(m.blocks) F\(m.features), "
              + "\(model.layout.count) parameters; global batch \(cfg.train.batchSize), patch \(cfg.train.patchSize), \(cfg.train.steps) steps; "
              + "\(ranksPerNode) rank\(ranksPerNode == 1 ? "" : "s")/node × \(threads) thread\(threads == 1 ? "" : "s"), link \(link), latency \(latencyUs) µs")
        print("nodes  ranks  share    s/step  samples/s      time  core-hours  allreduce s  network exposed")
        for r in rows {
            let time = duration(r.totalSeconds)
            print(String(format: "%5d  %5d  %5d  %8.3f  %9.2f  %@%@  %10.1f  %11.3f  %14.1f%%", r.nodes, r.ranks, r.share, r.stepSeconds,
                         r.samplesPerSecond, String(repeating: " ", count: max(0, 8 - time.count)), time, r.coreHours,
                         r.communicationSeconds, 100 * r.exposedShare))
        }
        for line in assumptions { print("- \(line)") }
    }

    /// Median seconds of a training step with `share` samples on this node (one process,
    /// generated images, as `srdist bench`).
    private func measure(_ base: Config, share: Int) throws -> Double {
        var cfg = base.withTimingData
        cfg.train.batchSize = share
        (cfg.distributed.balance.mode, cfg.distributed.balance.weights) = (.equal, nil)
        return try Benchmark.trainStep(try Trainer(config: cfg, kernels: try cfg.kernelSettings(), communicator: Communicator.initialize(threadLevel: .funneled)),
                                       warmup: 1, steps: steps).seconds
    }

    private func assumptions(_ plan: ClusterPlan, measuredThreads: Int, blas: BLASReport, skipped: [Int]) -> [String] {
        var lines = [
            "compute: training steps measured here (\(CPUFeatures.current), BLAS \(blas.summary)) at \(measuredThreads) thread\(measuredThreads == 1 ? "" : "s") "
                + "for the smallest and largest share, linear in between; the target nodes are assumed to be this node's CPU"
                + (measuredThreads < threads ? ", and \(threads) threads \(threads)/\(measuredThreads) × as fast as \(measuredThreads) (linear scaling: optimistic)" : ""),
            "shares: equal, the step waits for the largest; every rank as fast as the others",
            String(format: "allreduce: %d buckets, %.1f MB in all; per bucket the faster of ring, 2(p−1)(α + s/(pβ)), and recursive doubling, ⌈log₂p⌉(α + s/β); "
                   + "across nodes α = %.0f µs, β = the link (%@), within one node α = 1 µs, β = 5 GB/s; no contention, congestion or switch limits",
                   plan.buckets.count, Double(plan.buckets.reduce(0, +)) / 1e6, latencyUs, link),
            String(format: "overlap: every bucket but the last hides in backward (%.0f%% of the step's FLOPs); the last one and the per-step agreement are exposed",
                   100 * plan.backwardShare),
            "time and core-hours: training steps only (no validation, start-up or data preparation); core-hours = nodes × ranks per node × threads × time",
        ]
        if !skipped.isEmpty { lines.append("left out: \(skipped.map(String.init).joined(separator: ", ")) node(s): more ranks than samples in the global batch") }
        return lines
    }
}
