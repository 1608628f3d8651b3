import Data
import Checkpoint
import Distributed
import Foundation
import Kernels
import Machine
import Models
import Support

/// The network to train (`"model"` section).
public struct ModelSpec: Equatable, Sendable {
    /// EDSR (one scale, `"scale"`) or MDSR (one shared body, `"scales"`).
    public var arch: Arch
    /// Upscaling factors: one for EDSR, several for MDSR.
    public var scales: [Int]
    public var blocks: Int
    public var features: Int
    public var resScale: Float
}

extension ModelSpec {
    static func parse(_ m: inout ConfigSection, maxParameters: Int) throws -> ModelSpec {
        let arch = try m.choice("arch", Arch.edsr, oneOf: [.edsr, .mdsr])
        let scales: [Int]
        if arch == .edsr {
            scales = [try m.int("scale", min: Int.min, max: Int.max)]
            guard [2, 3, 4].contains(scales[0]) else { throw m.fail("scale", "must be 2, 3 or 4, got \(scales[0])") }
        } else {
            guard let list = m.raw("scales") as? [Any], !list.isEmpty,
                  let values = list.map(ConfigSection.integer) as? [Int],
                  values.allSatisfy({ [2, 3, 4].contains($0) }), Set(values).count == values.count else {
                throw m.fail("scales", "must be a list of distinct scales from 2, 3, 4 (e.g. [2, 3, 4])")
            }
            scales = values
        }
        let spec = ModelSpec(arch: arch, scales: scales,
                             blocks: try m.int("blocks", 16, min: 0, max: 1024),
                             features: try m.int("features", 64, min: 1, max: 4096),
                             resScale: Float(try m.double("res_scale", 1, above: 0, max: 100)))
        // Blocks and features are bounded one by one; their product is what allocates.
        guard spec.parameterCount <= Double(maxParameters) else {
            throw m.fail("features", "\(spec.features) with \(spec.blocks) blocks gives \(Int(spec.parameterCount)) parameters, "
                         + "more than the limit of \(maxParameters) (checkpoint.max_parameters)")
        }
        return spec
    }

    /// Parameters of the network, counted without building it (Double: no overflow
    /// for any bounded blocks and features); `ModelSpecTests` checks it against the layouts.
    public var parameterCount: Double {
        let f = Double(features)
        func conv(_ cin: Double, _ cout: Double, _ k: Double) -> Double { cout * cin * k * k + cout }
        func upsampler(_ s: Int) -> Double { s == 3 ? conv(f, 9 * f, 3) : Double(s / 2) * conv(f, 4 * f, 3) }
        let trunk = conv(3, f, 3) + Double(blocks) * 2 * conv(f, f, 3) + conv(f, f, 3) + conv(f, 3, 3)
        guard arch == .mdsr else { return trunk + upsampler(scales[0]) }
        return trunk + scales.map { Double(MDSR.preProcessBlocks) * 2 * conv(f, f, 5) + upsampler($0) }.reduce(0, +)
    }

    /// A freshly initialised network of this architecture, running its kernels with `kernels`.
    public func makeNetwork(seed: UInt64, kernels: KernelContext) -> SuperResolutionNetwork {
        switch arch {
        case .mdsr: return MDSR(MDSRConfig(scales: scales, blocks: blocks, features: features, resScale: resScale), seed: seed, kernels: kernels)
        case .edsr: return EDSR(edsr, seed: seed, kernels: kernels)
        }
    }

    /// The `"model"` section of a checkpoint's stored config (other sections, which
    /// imported weights do not have, are not needed to rebuild the network).
    /// - Parameter maxParameters: the largest network the caller will build.
    public static func fromConfigJSON(_ json: String, file: String,
                                      maxParameters: Int = CheckpointLimits.defaultMaxParameters) throws -> ModelSpec {
        guard (try? JSONCheck().check(Array(json.utf8))) != nil,
              let root = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] else {
            throw ConfigError("\(file): the stored config is not a JSON object")
        }
        // Messages name the stored config, not a file the user could edit.
        var top = ConfigSection(file: "\(file): stored config", path: "", values: root)
        var m = try top.section("model")
        let spec = try parse(&m, maxParameters: maxParameters)
        try m.finish()
        return spec
    }

    /// The EDSR hyper-parameters (for `arch` `.edsr`).
    public var edsr: EDSRConfig { EDSRConfig(scale: scales[0], blocks: blocks, features: features, resScale: resScale) }
}

/// Optimisation and loop settings (`"train"` section).
public struct TrainSpec: Equatable, Sendable {
    /// Global batch: split across ranks; gradients are averaged over all of it.
    public var batchSize: Int
    /// Side of the low-resolution training patch (the HR patch is `scale ×` that).
    public var patchSize: Int
    public var steps: Int
    public var lr: Double
    /// How the learning rate moves from `lr` with the step (default: halve every 200 000).
    public var lrSchedule: LRSchedule
    public var seed: UInt64
    /// Cores per rank for BLAS and srdist's own loops (`threads_per_rank`: a count, 0 for
    /// OMP_NUM_THREADS or the node's cores over its ranks, or "auto").
    public var threadsPerRank: ThreadsPerRank
    /// Progress line every this many steps.
    public var logEvery: Int
    /// Validate (and keep the best checkpoint) every this many steps; 0: only at the end.
    public var evalEvery: Int
    /// Validation's tile: LR cores of at most this side, dealt out over the ranks with
    /// the windows of every image (`validation_tile`, default 256); nil (0 in the
    /// file): whole images.
    public var validationTile: Int?
    /// Context around each validation tile in LR pixels (`validation_overlap`); nil: the
    /// model's receptive-field radius, so tiled scores equal whole-image scores.
    public var validationOverlap: Int?
    /// Ranks per node that compute validation windows (`validation_ranks_per_node`);
    /// 0: the node's cores over the threads per rank, so oversubscribed ranks do not
    /// each hold a window's activations. The scores do not depend on it.
    public var validationRanksPerNode: Int
    /// Start from another checkpoint's weights (tensors matched by name and shape).
    public var initFrom: String?
    /// Consecutive steps with a non-finite loss or gradient (skipped by every rank)
    /// after which the run stops.
    public var maxSkippedSteps: Int
    /// 3×3 convolution algorithm: Winograd (the fast default) or im2col (the exact
    /// reference path, for re-checking any result).
    public var convAlgorithm: ConvAlgorithm
    /// Winograd tile for 3×3 convolutions: F(6×6) (fastest, default), F(4×4) or F(2×2)
    /// (least rounding); see `WinogradTile`.
    public var winogradTile: WinogradTile
    /// What the convolutions read: fp32 (default) or bf16 (`Precision`; refused where
    /// no bf16 engine runs). Master weights, Adam, EMA and checkpoints stay fp32.
    public var precision: Precision
    /// MDSR's scale choice: per step (one seeded draw per global step, the paper) or
    /// per rank (ranks split across the scales in every step, shifting each step).
    public var scaleSchedule: ScaleSchedule.Mode
    /// Decay of rank 0's exponential moving average of the weights (`ema_decay`); 0: off.
    public var emaDecay: Double
    /// Largest global L2 norm of the summed gradient (`grad_clip`); 0: no clipping.
    public var gradClip: Double
}

/// One stage of staged training (`"stages"` list): EDSR at one scale, optionally
/// starting from another stage's final weights (the paper's ×2 → ×3/×4 pre-training).
public struct StageSpec: Equatable, Sendable {
    public var name: String
    public var scale: Int
    public var steps: Int
    /// The stage whose final checkpoint initialises this one (tensors matched by name
    /// and shape; the upsampler starts fresh), or nil to start from scratch.
    public var initFrom: String?
}

/// Gradient communication (`"distributed"` section).
public struct DistributedSpec: Equatable, Sendable {
    /// Floats per allreduce bucket (default `GradientBuckets.defaultBucketSize`).
    public var bucketSize: Int
    /// Floats in the first bucket, which holds the last layers (default
    /// `GradientBuckets.defaultFirstBucketSize`).
    public var firstBucketSize: Int
    /// Seconds a collective may take before the job is aborted (default 600).
    public var watchdogSeconds: Double
    /// How the global batch is split among the ranks (`balance` and its `balance_*` keys).
    public var balance: BalanceSpec
}

/// Checkpointing (`"checkpoint"` section).
public struct CheckpointSpec: Equatable, Sendable {
    /// Save every this many steps (and always at the end and on a stop signal).
    public var saveEvery: Int
    /// How many recent checkpoints to keep (the best one is kept besides).
    public var keepLast: Int
    public var keepBest: Bool
    /// What a failed save does: stop the run (default) or keep training.
    public var onSaveError: SaveErrorPolicy
    /// Seconds the launcher leaves between a stop signal and SIGKILL (Slurm's
    /// `--signal` lead or `KillWait`, mpirun's `odls_base_sigkill_timeout`); srdist
    /// warns when a step plus a save take longer (default 30, Slurm's default KillWait).
    public var stopBudgetSeconds: Double
    /// Largest parameter count of the model, and of a checkpoint read for resume or
    /// `init_from` (default `CheckpointLimits.defaultMaxParameters`).
    public var maxParameters: Int
}

/// Where training images come from (`"data"` section; layouts in docs/data.md).
public struct DataSpec: Equatable, Sendable {
    /// Synthetic (generated textures, no files) or a dataset layout (div2k, benchmark, folder, paired).
    public var kind: DataKind
    /// Dataset root folder (not used by `"synthetic"`).
    public var root: String?
    /// Training and validation image index ranges (`"1-800/801-810"`); nil trains on
    /// every image of a benchmark set or folder.
    public var dataRange: DataRange?
    /// Make missing LR images from their HR images instead of reporting them.
    public var generateLR: Bool
    /// Folder for the decoded-image cache; nil means `<root>/srdist_cache`.
    public var cacheDir: String?
    /// A benchmark set folder (e.g. `…/benchmark/Set5`) or a plain folder of HR images
    /// (LR made with the bicubic) to validate on, instead of the validation part of `dataRange`.
    public var validationRoot: String?
    /// Number and size of generated images for `"synthetic"`.
    public var syntheticImages: Int
    public var syntheticSize: Int
    /// Largest image (by its PNG or JPEG header) the data set may hold; default 256 Mpx.
    public var maxImagePixels: Int
    /// The LR images of div2k and benchmark layouts (and of a benchmark `validation_root`):
    /// the paper's bicubic track or DIV2K's unknown one.
    public var degradation: Degradation = .bicubic
    /// The paired kind's LR folder (`{scale}` for one per scale) and name template.
    public var paired: PairedFolders?
    /// LR images of `validation_root` as paired folders (same name template), instead of
    /// a benchmark set's or generated ones.
    public var validationPaired: PairedFolders?
}

/// A parsed, validated srdist configuration file.
public struct Config: Sendable {
    public var name: String
    public var model: ModelSpec
    public var train: TrainSpec
    public var data: DataSpec
    public var checkpoint: CheckpointSpec
    public var distributed: DistributedSpec
    /// The coordinator's stage this config runs (nil outside staged training).
    public var stage: String?
    /// Staged training: the stages, in an order where each follows the stage it starts from.
    public var stages: [StageSpec]
    /// Run stages that depend only on finished stages at the same time, on disjoint
    /// groups of ranks sized by their cost.
    public var concurrent: Bool
    /// The run folder: resolved config, log, metrics.jsonl, checkpoints/ (default runs/<name>).
    public var runDir: String
    /// The resolved configuration (file plus `--set` overrides) as JSON with sorted
    /// keys: stored in checkpoints and hashed for rank agreement.
    public var json: String

    /// Reads and validates `path`; every error names the file and the key.
    /// - Parameter overrides: `section.key=value` assignments applied on top of the
    ///   file (`--set train.lr=2e-4`); values are JSON, or plain strings.
    public static func load(path: String, overrides: [String] = []) throws -> Config {
        let bytes: [UInt8]
        do { bytes = try FileDoor.read(path, what: "config", maxBytes: maxConfigBytes) } catch { throw ConfigError(describe(error)) }
        return try parse(Data(bytes), file: path, overrides: overrides)
    }

    public static func parse(_ data: Data, file: String, overrides: [String] = []) throws -> Config {
        let object: Any
        do { try JSONCheck().check([UInt8](data)) } catch { throw ConfigError("\(file): not valid JSON at \(describe(error))") }
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw ConfigError("\(file): not valid JSON\(jsonErrorPosition(error, in: data))")
        }
        guard var root = object as? [String: Any] else { throw ConfigError("\(file): the top level must be a JSON object") }
        for assignment in overrides { try apply(assignment, to: &root) }
        // A staged config's model scale is the first stage's unless it says otherwise.
        if let stages = root["stages"] as? [[String: Any]], let first = stages.first?["scale"],
           var model = (root["model"] ?? [String: Any]()) as? [String: Any], model["scale"] == nil {
            model["scale"] = first
            root["model"] = model
        }
        let resolved = try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys, .prettyPrinted])
        // Every checkpoint stores it, and a checkpoint reader takes at most this much.
        guard resolved.count <= maxConfigBytes else {
            throw ConfigError("\(file): the resolved config is \(resolved.count) bytes, more than the \(maxConfigBytes) a checkpoint stores")
        }
        var top = ConfigSection(file: file, path: "", values: root)
        let name = try top.name("name", URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)

        var c = try top.section("checkpoint")
        let checkpoint = CheckpointSpec(saveEvery: try c.int("save_every", 1000, min: 1, max: maxCount),
                                        keepLast: try c.int("keep_last", 2, min: 1, max: 10_000),
                                        keepBest: try c.bool("keep_best", true),
                                        onSaveError: try c.choice("on_save_error", SaveErrorPolicy.stop, oneOf: [.stop, .keepTraining]),
                                        stopBudgetSeconds: try c.double("stop_budget_seconds", 30, above: 0, max: 86_400),
                                        maxParameters: try c.int("max_parameters", CheckpointLimits.defaultMaxParameters,
                                                                 min: 1, max: 1 << 34))
        try c.finish()

        var m = try top.section("model")
        let model = try ModelSpec.parse(&m, maxParameters: checkpoint.maxParameters)
        let scales = model.scales
        try m.finish()

        var t = try top.section("train")
        let (steps, lr) = (try t.int("steps", min: 1, max: maxCount), try t.double("lr", 1e-4, above: 0, max: 10))
        let validationTile = try t.int("validation_tile", 256, min: 0, max: 1 << 16)
        let train = TrainSpec(batchSize: try t.int("batch_size", 16, min: 1, max: 4096),
                              patchSize: try t.int("patch_size", 48, min: 4, max: 1024),
                              steps: steps, lr: lr,
                              lrSchedule: try LRSchedule.parse(&t, lr: lr, steps: steps),
                              seed: UInt64(try t.int("seed", 1, min: 0, max: 1 << 53)),
                              threadsPerRank: try ThreadsPerRank.parse(&t),
                              logEvery: try t.int("log_every", 100, min: 1, max: maxCount),
                              evalEvery: try t.int("eval_every", 0, min: 0, max: maxCount),
                              validationTile: validationTile == 0 ? nil : validationTile,
                              validationOverlap: try t.optionalInt("validation_overlap", min: 0, max: 1 << 12),
                              validationRanksPerNode: try t.int("validation_ranks_per_node", 0, min: 0, max: 4096),
                              initFrom: try t.optionalString("init_from"),
                              maxSkippedSteps: try t.int("max_skipped_steps", 10, min: 1, max: maxCount),
                              convAlgorithm: try t.choice("conv_algorithm", ConvAlgorithm.winograd, oneOf: [.winograd, .im2col]),
                              winogradTile: try t.choice("winograd_tile", KernelSettings.defaultTile, oneOf: WinogradTile.threeByThree),
                              precision: try t.choice("precision", Precision.fp32, oneOf: Precision.allCases),
                              scaleSchedule: try t.choice("scale_schedule", ScaleSchedule.Mode.perStep, oneOf: [.perStep, .perRank]),
                              emaDecay: try t.double("ema_decay", 0, max: 1),
                              gradClip: try t.double("grad_clip", 0, max: 1e12))
        // 1 would freeze the average at the initial weights; BasicSR uses 0.999.
        if !(0..<1).contains(train.emaDecay) { throw t.fail("ema_decay", "must be 0 (off) or between 0 and 1 (exclusive), got \(train.emaDecay)") }
        if train.gradClip < 0 { throw t.fail("grad_clip", "must be 0 (off) or a positive norm, got \(train.gradClip)") }
        try t.finish()

        var dist = try top.section("distributed")
        let distributed = DistributedSpec(bucketSize: try dist.int("bucket_size", GradientBuckets.defaultBucketSize, min: 1, max: 1 << 30),
                                          firstBucketSize: try dist.int("first_bucket_size", GradientBuckets.defaultFirstBucketSize, min: 1, max: 1 << 30),
                                          watchdogSeconds: try dist.double("watchdog_seconds", 600, above: 0, max: 1e7),
                                          balance: try BalanceSpec.parse(&dist))
        try dist.finish()

        let runDir = try top.string("run_dir", "runs/\(name)")
        try requireOwnFolder(runDir, top.fail("run_dir", "must name a folder of its own (the run writes config.json, "
                                              + "train.log and checkpoints/ there), got \"\(runDir)\""))
        let stages = try parseStages(&top, model: model, train: train)
        let concurrent = try top.bool("concurrent", false)

        var d = try top.section("data")
        let dataSpec = try parseData(&d, patch: train.patchSize, scales: scales)
        try d.finish()
        try top.finish()
        return Config(name: name, model: model, train: train, data: dataSpec, checkpoint: checkpoint, distributed: distributed, stage: nil, stages: stages, concurrent: concurrent, runDir: runDir,
                      json: String(decoding: resolved, as: UTF8.self))
    }

    /// The `"stages"` list: names unique, scales valid, each `init_from` an earlier stage.
    static func parseStages(_ top: inout ConfigSection, model: ModelSpec, train: TrainSpec) throws -> [StageSpec] {
        guard let raw = top.raw("stages") else { return [] }
        guard let list = raw as? [Any], !list.isEmpty else { throw top.fail("stages", "must be a non-empty list of stage objects") }
        guard list.count <= 64 else { throw top.fail("stages", "lists \(list.count) stages, at most 64 are allowed") }
        guard model.arch == .edsr else { throw top.fail("stages", "are for EDSR (MDSR trains all scales at once)") }
        var stages: [StageSpec] = []
        for (i, item) in list.enumerated() {
            guard let dict = item as? [String: Any] else { throw top.fail("stages", "entry \(i) must be an object") }
            var st = ConfigSection(file: top.file, path: "stages[\(i)]", values: dict)
            let stage = StageSpec(name: try st.name("name"), scale: try st.int("scale", min: Int.min, max: Int.max),
                                  steps: try st.int("steps", train.steps, min: 1, max: maxCount), initFrom: try st.optionalString("init_from"))
            try st.finish()
            guard [2, 3, 4].contains(stage.scale) else { throw st.fail("scale", "must be 2, 3 or 4, got \(stage.scale)") }
            if let (key, why) = train.lrSchedule.problem(steps: stage.steps) {
                throw st.fail("steps", "is \(stage.steps), but train.\(key) \(why)")
            }
            guard !stages.contains(where: { $0.name == stage.name }) else { throw st.fail("name", "\"\(stage.name)\" is used twice") }
            if let from = stage.initFrom, !stages.contains(where: { $0.name == from }) {
                throw st.fail("init_from", "must name an earlier stage, got \"\(from)\"")
            }
            stages.append(stage)
        }
        return stages
    }

    /// Applies one `a.b.c=value` override, creating sections as needed; the strict
    /// key checks then refuse a misspelt key exactly as if it were in the file.
    static func apply(_ assignment: String, to root: inout [String: Any]) throws {
        guard let eq = assignment.firstIndex(of: "="), eq != assignment.startIndex else {
            throw ConfigError("--set \(assignment): expected section.key=value")
        }
        let path = assignment[..<eq].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let text = String(assignment[assignment.index(after: eq)...])
        guard !path.contains("") else { throw ConfigError("--set \(assignment): empty key in '\(assignment[..<eq])'") }
        // A value that reads as JSON is JSON (checked as strictly as the file); one that
        // starts like a number must be one; anything else is a plain string.
        let value: Any
        do {
            try JSONCheck().check(Array(text.utf8))
            value = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch let error as JSONCheckError where text.first.map({ $0 == "-" || $0.isNumber }) ?? false {
            throw ConfigError("--set \(assignment): \(error.reason)")
        } catch {
            value = text
        }
        func set(_ dict: inout [String: Any], _ keys: ArraySlice<String>) throws {
            let key = keys.first!
            if keys.count == 1 { dict[key] = value; return }
            var child = dict[key] as? [String: Any] ?? [:]
            if dict[key] != nil && !(dict[key] is [String: Any]) {
                throw ConfigError("--set \(assignment): '\(key)' is not a section")
            }
            try set(&child, keys.dropFirst())
            dict[key] = child
        }
        try set(&root, path[...])
    }

    /// The `"data"` section. Keys that the chosen kind does not use are refused
    /// rather than silently ignored.
    static func parseData(_ d: inout ConfigSection, patch: Int, scales: [Int]) throws -> DataSpec {
        let scale = scales.max()!
        let kind = try d.choice("kind", DataKind.synthetic, oneOf: DataKind.all)
        let fileKeys = ["root", "data_range", "generate_lr", "cache_dir", "validation_root", "max_image_pixels", "degradation",
                        "lr_root", "filename_template", "validation_lr_root"]
        var unused = kind == .synthetic ? fileKeys : ["synthetic_images", "synthetic_size"]
        if kind != .synthetic {
            // Only layouts with LR folders of their own have a degradation; only paired ones an LR root.
            if ![.dataset(.div2k), .dataset(.benchmark)].contains(kind) { unused.append("degradation") }
            if kind == .dataset(.paired) { unused.append("generate_lr") } else { unused.append("lr_root") }
            if kind != .dataset(.paired) && d.values["validation_lr_root"] == nil { unused.append("filename_template") }
        }
        if let key = unused.first(where: { d.values[$0] != nil }) { throw d.fail(key, "is not used by kind \"\(kind.rawValue)\"") }
        var range: DataRange?
        if let text = try d.optionalString("data_range") ?? (kind == .dataset(.div2k) ? "1-800/801-810" : nil) {
            guard let parsed = DataRange(text) else { throw d.fail("data_range", "must look like \"1-800/801-810\" (first-last/first-last, at most \(DataRange.maxIndex)), got \"\(text)\"") }
            range = parsed
        }
        let spec = DataSpec(kind: kind, root: try d.optionalString("root"), dataRange: range,
                            generateLR: try d.bool("generate_lr", false), cacheDir: try d.optionalString("cache_dir"),
                            validationRoot: try d.optionalString("validation_root"),
                            syntheticImages: try d.int("synthetic_images", 16, min: 1, max: 100_000),
                            syntheticSize: try d.int("synthetic_size", 128, min: 8, max: 16_384),
                            maxImagePixels: try d.int("max_image_pixels", PNGFile.defaultMaxPixels, min: 1, max: 1 << 40))
        if kind == .synthetic {
            return try checkSynthetic(spec, d, patch: patch, scale: scale)
        }
        if spec.root == nil { throw d.fail("root", "is required for kind \"\(kind.rawValue)\"") }
        if spec.validationRoot == nil && range?.validation == nil {
            throw d.fail("data_range", "needs a validation part (as in \"1-800/801-810\"), or set data.validation_root to a benchmark set or a folder of HR images")
        }
        return try parseLRSources(spec, &d, scales: scales)
    }

    /// The keys that say where LR images come from: `degradation`, and the paired
    /// folders of training (`lr_root`) and validation (`validation_lr_root`) with their
    /// `filename_template`.
    static func parseLRSources(_ spec: DataSpec, _ d: inout ConfigSection, scales: [Int]) throws -> DataSpec {
        var spec = spec
        spec.degradation = try d.choice("degradation", Degradation.bicubic, oneOf: Degradation.allCases)
        if spec.degradation == .unknown && spec.generateLR {
            throw d.fail("generate_lr", "cannot be used with degradation \"unknown\": nothing can make DIV2K's unknown-track LR images; "
                         + "download DIV2K_train_LR_unknown (and DIV2K_valid_LR_unknown)")
        }
        let template = try d.string("filename_template", PairedFolders.defaultTemplate)
        if let problem = PairedFolders.problem(template: template) { throw d.fail("filename_template", "\(problem), got \"\(template)\"") }
        func folders(_ key: String) throws -> PairedFolders? {
            guard let lrRoot = try d.optionalString(key) else { return nil }
            let paired = PairedFolders(lrRoot: lrRoot, template: template)
            // One LR file per image cannot serve two scales.
            if scales.count > 1 && !paired.namesScale {
                throw d.fail(key, "must hold {scale} (or filename_template must) when the model has several scales, got \"\(lrRoot)\"")
            }
            return paired
        }
        spec.paired = try folders("lr_root")
        spec.validationPaired = try folders("validation_lr_root")
        if spec.kind == .dataset(.paired) && spec.paired == nil { throw d.fail("lr_root", "is required for kind \"paired\"") }
        if spec.validationPaired != nil && spec.validationRoot == nil { throw d.fail("validation_lr_root", "needs data.validation_root (the HR images)") }
        return spec
    }

    /// The synthetic kind's sizes against the patch and the memory they take.
    static func checkSynthetic(_ spec: DataSpec, _ d: ConfigSection, patch: Int, scale: Int) throws -> DataSpec {
        if spec.syntheticSize < patch * scale { throw d.fail("synthetic_size", "must be at least patch_size × scale = \(patch * scale)") }
        // Every generated image stays in memory (with its LR versions).
        let pixels = spec.syntheticImages * spec.syntheticSize * spec.syntheticSize
        if pixels > 1 << 28 {
            throw d.fail("synthetic_images", "× synthetic_size² is \(pixels) pixels, more than the limit of \(1 << 28)")
        }
        return spec
    }

    /// Steps and periods: far past any run, and exact as Doubles and Adam counters.
    static let maxCount = 1 << 40
    /// Largest config file read (the resolved config is stored in every checkpoint).
    static let maxConfigBytes = 1 << 20

    /// Throws `error` when `runDir` is empty or names the current folder, `/` or one of
    /// the current folder's parents: a run must not scatter its files (and replace a
    /// `config.json`) where the user works.
    static func requireOwnFolder(_ runDir: String, _ error: @autoclosure () -> ConfigError) throws {
        let cwd = FileManager.default.currentDirectoryPath
        let trimmed = runDir.trimmingCharacters(in: .whitespaces)
        let absolute = URL(fileURLWithPath: trimmed, relativeTo: URL(fileURLWithPath: cwd, isDirectory: true))
            .standardizedFileURL.resolvingSymlinksInPath().path
        let here = URL(fileURLWithPath: cwd).standardizedFileURL.resolvingSymlinksInPath().path
        guard !trimmed.isEmpty, absolute != "/", !(here == absolute || here.hasPrefix(absolute + "/")) else { throw error() }
    }

    /// " at line L, column C" for a JSONSerialization error, which reports only a
    /// character offset ("Invalid value around character 37.").
    static func jsonErrorPosition(_ error: Error, in data: Data) -> String {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? ""
        guard let range = text.range(of: #"character \d+"#, options: .regularExpression),
              let offset = Int(text[range].dropFirst("character ".count)) else { return " (\(error.localizedDescription))" }
        let before = [UInt8](data.prefix(offset))
        let line = before.filter { $0 == UInt8(ascii: "\n") }.count + 1
        let column = before.count - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
        return " at line \(line), column \(column): \(text.replacingOccurrences(of: #" around character \d+"#, with: "", options: .regularExpression))"
    }
}
