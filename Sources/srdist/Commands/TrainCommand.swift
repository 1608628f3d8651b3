import ArgumentParser
import Foundation
import Kernels
import Train

/// `srdist [train] --config FILE`: trains the configured model.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a model from a JSON config (the default verb).")

    /// Path of the JSON config file (see configs/).
    @Option(help: "Path of the JSON config file (see configs/).")
    var config: String

    func run() throws {
        let cfg = try Config.load(path: config)
        configureThreads(cfg)
        let trainer = try Trainer(config: cfg)
        print("srdist: training \(cfg.name): EDSR ×\(cfg.model.scales[0]) B\(cfg.model.blocks) F\(cfg.model.features), "
              + "\(trainer.model.layout.count) parameters, batch \(cfg.train.batchSize), patch \(cfg.train.patchSize), "
              + "\(cfg.train.steps) steps, \(Threads.count) threads")
        trainer.run { print($0); fflush(stdout) }
        let (model, bicubic) = trainer.evaluate()
        print(String(format: "validation PSNR (Y, shave %d): model %.2f dB, bicubic %.2f dB (%+.2f dB)",
                     cfg.model.scales[0], model, bicubic, model - bicubic))
    }
}

/// Thread budget: the config's `threads_per_rank`, else OMP_NUM_THREADS, else all cores.
func configureThreads(_ cfg: Config) {
    if cfg.train.threadsPerRank > 0 { Threads.configure(cfg.train.threadsPerRank) } else { Threads.configureFromEnvironment() }
}

extension Threads {
    /// OMP_NUM_THREADS when set, else every core.
    static func configureFromEnvironment() {
        if let env = ProcessInfo.processInfo.environment["OMP_NUM_THREADS"], let v = Int(env), v > 0 {
            configure(v)
        } else {
            configure(ProcessInfo.processInfo.activeProcessorCount)
        }
    }
}
