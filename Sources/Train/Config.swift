import Foundation
import Models

/// The network to train (`"model"` section).
public struct ModelSpec: Equatable, Sendable {
    /// `"edsr"`: one network per scale.
    public var arch: String
    /// Upscaling factors (one for EDSR).
    public var scales: [Int]
    public var blocks: Int
    public var features: Int
    public var resScale: Float
}

/// Optimisation and loop settings (`"train"` section).
public struct TrainSpec: Equatable, Sendable {
    /// Global batch: split across ranks; gradients are averaged over all of it.
    public var batchSize: Int
    /// Side of the low-resolution training patch (the HR patch is `scale ×` that).
    public var patchSize: Int
    public var steps: Int
    public var lr: Double
    /// The learning rate halves every this many steps (paper: 200 000).
    public var lrDecaySteps: Int
    public var seed: UInt64
    /// Cores per rank for BLAS and srdist's own loops; 0 means OMP_NUM_THREADS or all.
    public var threadsPerRank: Int
    public var logEvery: Int
}

/// Where training images come from (`"data"` section).
public struct DataSpec: Equatable, Sendable {
    /// `"synthetic"`: generated textures, no files.
    public var kind: String
    /// Dataset root folder (not used by `"synthetic"`).
    public var root: String?
    /// DIV2K-style `"1-800/801-810"`: training and validation image index ranges.
    public var dataRange: String?
    /// Number and size of generated images for `"synthetic"`.
    public var syntheticImages: Int
    public var syntheticSize: Int
}

/// A parsed, validated srdist configuration file.
public struct Config: Sendable {
    public var name: String
    public var model: ModelSpec
    public var train: TrainSpec
    public var data: DataSpec
    /// The file's JSON as read (stored in checkpoints, hashed for rank agreement).
    public var json: String

    /// Reads and validates `path`; every error names the file and the key.
    public static func load(path: String) throws -> Config {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("\(path): cannot read the config file")
        }
        return try parse(data, file: path)
    }

    public static func parse(_ data: Data, file: String) throws -> Config {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw ConfigError("\(file): not valid JSON (\(error.localizedDescription))")
        }
        guard let root = object as? [String: Any] else { throw ConfigError("\(file): the top level must be a JSON object") }
        var top = ConfigSection(file: file, path: "", values: root)
        let name = try top.string("name", URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)

        var m = try top.section("model")
        let arch = try m.string("arch", "edsr", oneOf: ["edsr"])
        let scale = try m.int("scale")
        guard [2, 3, 4].contains(scale) else { throw m.fail("scale", "must be 2, 3 or 4, got \(scale)") }
        let scales = [scale]
        let model = ModelSpec(arch: arch, scales: scales,
                              blocks: try m.int("blocks", 16, min: 0),
                              features: try m.int("features", 64, min: 1),
                              resScale: Float(try m.double("res_scale", 1, above: 0)))
        try m.finish()

        var t = try top.section("train")
        let train = TrainSpec(batchSize: try t.int("batch_size", 16, min: 1),
                              patchSize: try t.int("patch_size", 48, min: 4),
                              steps: try t.int("steps", min: 1),
                              lr: try t.double("lr", 1e-4, above: 0),
                              lrDecaySteps: try t.int("lr_decay_steps", 200_000, min: 1),
                              seed: UInt64(try t.int("seed", 1, min: 0)),
                              threadsPerRank: try t.int("threads_per_rank", 0, min: 0),
                              logEvery: try t.int("log_every", 100, min: 1))
        try t.finish()

        var d = try top.section("data")
        let kind = try d.string("kind", "synthetic", oneOf: ["synthetic"])
        let dataSpec = DataSpec(kind: kind, root: try d.optionalString("root"), dataRange: try d.optionalString("data_range"),
                                syntheticImages: try d.int("synthetic_images", 16, min: 1),
                                syntheticSize: try d.int("synthetic_size", 128, min: 8))
        if kind != "synthetic" && dataSpec.root == nil { throw d.fail("root", "is required for kind \"\(kind)\"") }
        if kind == "synthetic" && dataSpec.syntheticSize < train.patchSize * scales.max()! {
            throw d.fail("synthetic_size", "must be at least patch_size × scale = \(train.patchSize * scales.max()!)")
        }
        try d.finish()
        try top.finish()
        return Config(name: name, model: model, train: train, data: dataSpec, json: String(decoding: data, as: UTF8.self))
    }

    /// The EDSR hyper-parameters of this config (for `arch` "edsr").
    public var edsr: EDSRConfig {
        EDSRConfig(scale: model.scales[0], blocks: model.blocks, features: model.features, resScale: model.resScale)
    }
}
