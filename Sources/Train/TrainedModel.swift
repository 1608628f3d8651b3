import Checkpoint
import Foundation
import Models

/// A network rebuilt from a checkpoint (srdist's own or imported PyTorch weights) for
/// evaluation and upscaling.
public struct TrainedModel {
    public let spec: ModelSpec
    public let model: SuperResolutionNetwork
    public let step: Int
    public let path: String

    /// Reads the checkpoint (a file, a `latest`/`best` pointer or a run folder), rebuilds the network its stored config describes and loads the weights.
    /// - Throws: `CheckpointError`/`ConfigError`, one line naming the file.
    public static func load(checkpoint argument: String) throws -> TrainedModel {
        let path = try CheckpointStore.locate(argument)
        let contents = try CheckpointFile.read(path: path)
        let spec = try ModelSpec.fromConfigJSON(contents.configJSON, file: path)
        let model = spec.makeNetwork(seed: 0)
        try contents.requireCompatible(model: spec.arch, scales: spec.scales, layout: model.layout, file: path)
        contents.scatter(contents.params, into: model.params.base, layout: model.layout)
        return TrainedModel(spec: spec, model: model, step: contents.step, path: path)
    }

    /// The inference wrapper for `scale` (nil: the model's first scale).
    public func upscaler(scale: Int?) throws -> Upscaler {
        if let scale, !spec.scales.contains(scale) {
            throw ConfigError("\(path): the checkpoint is an \(spec.arch) model for ×\(spec.scales.map(String.init).joined(separator: "/×")), not ×\(scale)")
        }
        return Upscaler(model, scale: scale ?? spec.scales[0])
    }
}
