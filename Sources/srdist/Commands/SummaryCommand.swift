import ArgumentParser
import Kernels
import Models
import Train

/// `srdist summary --config FILE`: lists every trainable tensor and the total count.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary", abstract: "Print the model's parameter tensors and their total.")

    /// Path of the JSON config file describing the model.
    @Option(help: "Path of the JSON config file describing the model.")
    var config: String

    func run() throws {
        let cfg = try Config.load(path: config)
        let layout = cfg.model.makeNetwork(seed: 0, kernels: KernelContext()).layout
        let width = layout.views.map(\.name.count).max() ?? 0
        for v in layout.views {
            print(v.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + "[" + v.shape.map(String.init).joined(separator: ", ") + "]")
        }
        print("total trainable parameters: \(layout.count)")
    }
}
