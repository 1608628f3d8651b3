import ArgumentParser
import Data
import Distributed
import Foundation
import Kernels
import Train

/// `srdist bench-data --config FILE`: the data path of a config at its real size —
/// cache build time, how many patches per second the loader sustains on one core
/// next to how many training consumes, the step's data wait, and every rank's memory.
/// Runs alone or under mpirun (rank 0 reports; memory is gathered from all ranks).
struct BenchDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-data",
        abstract: "Measure the data path: cache build, loader throughput, data wait, per-rank memory (alone or under mpirun).")

    /// Path of the JSON config file (its data, model and train sections are used).
    @Option(help: "Path of the JSON config file (its data, model and train sections are used).")
    var config: String

    /// Config overrides, e.g. --set data.cache_dir=/scratch/cache (repeatable).
    @Option(name: .customLong("set"), help: "Override a config key (repeatable).")
    var overrides: [String] = []

    /// How long to run the loader alone.
    @Option(help: "Seconds to run the loader alone (0 skips it).")
    var seconds: Double = 3

    /// Training steps to time after one warm-up step; 0 skips the comparison.
    @Option(help: "Training steps to time after one warm-up step (0: loader only).")
    var trainSteps: Int = 3

    /// One JSON object on standard output instead of text lines.
    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard seconds >= 0, seconds <= 3600, (0...100_000).contains(trainSteps) else {
            throw ValidationError("--seconds must be 0…3600 and --train-steps 0…100000")
        }
    }

    func run() throws {
        _ = try startUpCheck()
        let comm = try Communicator.initialize(threadLevel: .funneled)
        let cfg = try loadConfig(config, overrides: overrides, on: comm)
        let threads = cfg.threads()
        let root = comm.rank == 0
        var result: [String: Any] = ["config": config, "ranks": comm.size, "threads_per_rank": threads, "data": cfg.data.kind.rawValue]
        func say(_ line: String) { if root && !json { print(line); fflush(stdout) } }

        let buildStart = Date()
        try prepareData(cfg.data, scales: cfg.model.scales, comm: comm, threads: threads, say: say)
        result["build_seconds"] = Date().timeIntervalSince(buildStart)
        let openStart = Date()
        let trainer = try Trainer(config: cfg, kernels: try cfg.kernelSettings(), communicator: comm)
        result["open_seconds"] = Date().timeIntervalSince(openStart)
        let batch = cfg.train.batchSize, sampler = trainer.data.sampler
        result["images"] = sampler.pairs.count
        say(String(format: "data: %d training images (%@): cache build %.1f s, opened in %.2f s", sampler.pairs.count, cfg.data.kind.rawValue,
                   result["build_seconds"] as! Double, result["open_seconds"] as! Double))
        if seconds > 0 {
            let loader = LoaderBenchmark.patchesPerSecond(sampler, batch: batch, seconds: seconds)
            result["loader_patches_per_second"] = loader
            say(String(format: "loader: %.0f patches/s on one core (LR %d×%d, HR ×%d, batch %d)", loader, sampler.patch, sampler.patch, sampler.scale, batch))
        }
        if trainSteps > 0 {
            _ = try trainer.step(0)
            let (waitStart, start) = (trainer.data.dataWait, Date())
            for t in 1...trainSteps { _ = try trainer.step(t) }
            let elapsed = Date().timeIntervalSince(start)
            let consumed = Double(trainSteps * batch) / elapsed
            (result["train_patches_per_second"], result["data_wait"]) = (consumed, (trainer.data.dataWait - waitStart) / elapsed)
            say(String(format: "training: %.1f patches/s (%d steps, %d rank%@ × %d threads), data wait %.2f%% of the step time",
                       consumed, trainSteps, comm.size, comm.size == 1 ? "" : "s", threads, 100 * (trainer.data.dataWait - waitStart) / elapsed))
        }
        let m = MemoryUsage.current()
        let all = try comm.allgather([m.privateMB, m.pss, m.rss, m.peakRSS])
        let (maxPrivate, sumPSS, maxPeak) = (all.map { $0[0] }.max()!, all.map { $0[1] }.reduce(0, +), all.map { $0[3] }.max()!)
        (result["max_private_mb"], result["sum_pss_mb"], result["max_peak_rss_mb"]) = (maxPrivate, sumPSS, maxPeak)
        result["per_rank_private_mb"] = all.map { $0[0] }
        say(String(format: "memory: private %@ MB per rank (max %.0f), node total PSS %.0f MB, peak RSS %.0f MB",
                   all.map { String(format: "%.0f", $0[0]) }.joined(separator: "/"), maxPrivate, sumPSS, maxPeak))
        if root && json, let data = try? JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]) {
            print(String(decoding: data, as: UTF8.self))
        }
        try Communicator.finalize()
    }
}
