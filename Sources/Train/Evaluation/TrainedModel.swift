import Checkpoint
import Foundation
import Kernels
import Models

/// A network rebuilt from a checkpoint (srdist's own or imported PyTorch weights) for
/// evaluation and upscaling.
public struct TrainedModel {
    public let spec: ModelSpec
    public let model: SuperResolutionNetwork
    public let step: Int
    public let path: String
    /// The weights loaded are the checkpoint's moving average (`/ema`).
    public let usesEMA: Bool

    /// Reads the checkpoint (a file, a `latest`/`best` pointer or a run folder), rebuilds the network its stored config
    /// describes (checked against the config's bounds first) and loads the weights once every tensor's name and shape
    /// matched that network.
    /// - Parameters:
    ///   - limits: size bounds for the file (`--max-parameters`).
    ///   - ema: load the moving average of the weights when the checkpoint has one
    ///     (`--no-ema` passes false: the raw trained weights).
    ///   - kernels: what the network's kernels run with.
    /// - Throws: `CheckpointError`/`ConfigError`, one line naming the file.
    public static func load(checkpoint argument: String, limits: CheckpointLimits = CheckpointLimits(),
                            ema: Bool = true, kernels: KernelContext) throws -> TrainedModel {
        let path = try CheckpointStore.locate(argument)
        var built: (ModelSpec, SuperResolutionNetwork)?
        let contents = try CheckpointFile.read(path: path, limits: limits) { configJSON in
            let spec = try ModelSpec.fromConfigJSON(configJSON, file: path, maxParameters: limits.maxParameters)
            let model = spec.makeNetwork(seed: 0, kernels: kernels)
            built = (spec, model)
            return CheckpointExpectation(model: spec.arch.rawValue, scales: spec.scales, layout: model.layout)
        }
        guard let (spec, model) = built else { throw CheckpointError("\(path): the checkpoint describes no model") }
        let averaged = ema ? contents.ema?.params : nil
        contents.scatter(averaged ?? contents.params, into: model.params.base, layout: model.layout)
        return TrainedModel(spec: spec, model: model, step: contents.step, path: path, usesEMA: averaged != nil)
    }

    /// The inference wrapper for `scale` (nil: the model's first scale).
    public func upscaler(scale: Int?) throws -> Upscaler {
        if let scale, !spec.scales.contains(scale) {
            throw ConfigError("\(path): the checkpoint is an \(spec.arch) model for ×\(spec.scales.map(String.init).joined(separator: "/×")), not ×\(scale)")
        }
        return Upscaler(model, scale: scale ?? spec.scales[0])
    }
}
