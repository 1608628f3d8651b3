import ArgumentParser
import Distributed
import Foundation
import Train

/// `srdist prepare-data --config FILE`: builds the decoded-image cache of a config's
/// dataset at every scale the config trains (stages included) and exits, so a
/// cluster can build it in a short job before the long one. Under mpirun or srun
/// the images are shared out over the ranks.
struct PrepareDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare-data",
        abstract: "Build the decoded-image cache of a config's dataset and exit (alone or under mpirun/srun).")

    /// Path of the JSON config file (its data, model and stages sections are used).
    @Option(help: "Path of the JSON config file (its data, model and stages sections are used).")
    var config: String

    /// Config overrides, e.g. --set data.cache_dir=/scratch/cache (repeatable).
    @Option(name: .customLong("set"), help: "Override a config key, e.g. --set data.cache_dir=/scratch/cache (repeatable).")
    var overrides: [String] = []

    /// No progress output.
    @Flag(help: "No output on standard output.")
    var quiet = false

    func run() throws {
        let cfg = try Config.load(path: config, overrides: overrides)
        let comm = try Communicator.initialize(threadLevel: .funneled)
        let scales = Array(Set(cfg.model.scales + cfg.stages.map(\.scale))).sorted()
        let say: ((String) -> Void)? = comm.rank == 0 && !quiet ? { print($0); fflush(stdout) } : nil
        do {
            try prepareData(cfg.data, scales: scales, comm: comm, threads: cfg.threads(), say: say)
        } catch {
            throw settled(error, on: comm)
        }
        try Communicator.finalize()
    }
}
