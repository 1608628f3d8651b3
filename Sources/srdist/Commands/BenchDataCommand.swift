import ArgumentParser
import Data
import Distributed
import Foundation
import Kernels
import Train

/// `srdist bench-data --config FILE`: how many patches per second the data loader
/// sustains on one core, next to how many the configured training consumes.
struct BenchDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-data", abstract: "Measure the patch loader's throughput on one core against training's consumption.")

    /// Path of the JSON config file (its data and train sections are used).
    @Option(help: "Path of the JSON config file (its data and train sections are used).")
    var config: String

    /// How long to run the loader alone.
    @Option(help: "Seconds to run the loader alone.")
    var seconds: Double = 3

    /// Training steps to time after one warm-up step; 0 skips the comparison.
    @Option(help: "Training steps to time after one warm-up step (0: loader only).")
    var trainSteps: Int = 3

    func run() throws {
        let cfg = try Config.load(path: config)
        configureThreads(cfg)
        let loadStart = Date()
        let trainer = try Trainer(config: cfg, communicator: try Communicator.initialize(threadLevel: .funneled))
        let batch = cfg.train.batchSize, sampler = trainer.sampler
        print(String(format: "data: %d training images (%@), loaded in %.1f s", sampler.pairs.count, cfg.data.kind,
                     Date().timeIntervalSince(loadStart)))
        let loader = LoaderBenchmark.patchesPerSecond(sampler, batch: batch, seconds: seconds)
        print(String(format: "loader: %.0f patches/s on one core (LR %d×%d, HR ×%d, batch %d)",
                     loader, sampler.patch, sampler.patch, sampler.scale, batch))
        guard trainSteps > 0 else { return }
        _ = try trainer.step(0)
        let (waitStart, start) = (trainer.dataWait, Date())
        for t in 1...trainSteps { _ = try trainer.step(t) }
        let elapsed = Date().timeIntervalSince(start)
        let consumed = Double(trainSteps * batch) / elapsed
        print(String(format: "training: %.1f patches/s (%d steps, %d threads), data wait %.2f%% of the step time",
                     consumed, trainSteps, Threads.count, 100 * (trainer.dataWait - waitStart) / elapsed))
        print(String(format: "loader headroom: %.0f× what training consumes", loader / consumed))
    }
}
