import ArgumentParser
import Foundation
import Kernels
import Distributed
import Train

/// `srdist bench --config FILE`: times training steps (and optionally inference).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time training steps: seconds per step, patches/s, effective GFLOPS (direct-convolution FLOPs / time).")

    /// The model, batch and patch to time (data comes from generated images).
    @Option(help: "Config file: the model, batch and patch to time.")
    var config: String

    /// Config overrides, e.g. --set train.conv_algorithm=im2col (repeatable).
    @Option(name: .customLong("set"), help: "Override a config key, e.g. --set train.conv_algorithm=im2col (repeatable).")
    var overrides: [String] = []

    /// Timed steps; the median is reported.
    @Option(help: "Timed steps (the median is reported).")
    var steps = 3

    /// Untimed steps first (BLAS and the allocator warm up).
    @Option(help: "Untimed warm-up steps.")
    var warmup = 1

    /// Threads for this process (default: the config's threads_per_rank, OMP_NUM_THREADS or all cores).
    @Option(help: "Threads (default: config, OMP_NUM_THREADS, or all cores).")
    var threads: Int?

    /// What the convolutions read (default: the config's `train.precision`).
    @Option(help: "Convolution precision: fp32 or bf16 (default: the config's train.precision).")
    var precision: Precision?

    /// Time inference on one N×N image instead of training.
    @Option(help: "Time inference on one N×N LR image instead of a training step.")
    var inference: Int?

    /// With --inference: run in N×N LR tiles (peak memory then follows the tile).
    @Option(help: "With --inference: tile size in LR pixels (at least 1).")
    var tile: Int?

    /// One JSON object per line instead of text.
    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let inference, inference < 1 { throw ValidationError("--inference must be at least 1") }
        if let tile, tile < 1 { throw ValidationError("--tile must be at least 1") }
    }

    func run() throws {
        var cfg = try Config.load(path: config, overrides: overrides)
        let blas = try startUpCheck()
        if let threads { cfg.train.threadsPerRank = .fixed(threads) }
        if let precision { cfg.train.precision = precision }
        let settings = try cfg.kernelSettings()
        var result: BenchResult
        if let size = inference {
            let model = cfg.model.makeNetwork(seed: cfg.train.seed, kernels: KernelContext(settings))
            result = Benchmark.inference(model, scale: cfg.model.scales[0], size: size, tile: tile,
                                         warmup: warmup, steps: steps)
        } else {
            cfg = cfg.withTimingData
            // Under mpirun every rank computes its share of the global batch and the
            // gradients are reduced, as in training.
            let comm = try Communicator.initialize(threadLevel: .funneled)
            result = try Benchmark.trainStep(try Trainer(config: cfg, kernels: settings, communicator: comm), warmup: warmup, steps: steps)
            let isRoot = comm.rank == 0
            try Communicator.finalize()
            guard isRoot else { return }
        }
        (result.blas, result.simd, result.precision) = (blas, settings.simd, settings.precisionSummary)
        warnSlowerSetting(blas)
        if json {
            print(result.json)
        } else {
            print(String(format: "%@: %.3f s/step (CPU %.3f s), %.2f patches/s, %.1f effective GFLOPS, peak RSS %.0f MiB (%d threads); BLAS %@, SIMD %@, precision %@",
                         result.workload, result.seconds, result.cpuSeconds, result.patchesPerSecond, result.gflops,
                         result.peakRSSMegabytes, settings.threads, blas.summary, result.simd.rawValue, result.precision))
        }
    }
}
