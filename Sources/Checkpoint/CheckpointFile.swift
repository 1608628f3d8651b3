import Foundation
import Support
import Models

/// Reads and writes one checkpoint file in the srdist HDF5 schema (version 1):
///
///     /                 attrs format "srdist-checkpoint", version, model, scales, step,
///                             stage, world_size, config (JSON), created (ISO 8601),
///                             blas, simd and precision (what computed it: "fp32" or
///                             "bf16" convolutions; absent in older files)
///     /params/<name>    float32, the tensor's shape, EDSR-PyTorch name
///     /optim            attrs lr, step.<branch> (Adam's update counters)
///     /optim/m/<name>   Adam's first moment     /optim/v/<name>  second moment
///     /ema              attr decay (train.ema_decay), when the run kept a moving average
///     /ema/<name>       float32, the averaged weights, same names and shapes as /params
///     /state            attrs data_step, rng_seed (uint64), skipped_steps,
///                             best_psnr and best_step (when evaluated),
///                             batch_weights (per rank, when shares were not equal)
///     /state/metrics_history   UTF-8 JSON text
///
/// `write` writes straight to `path`; `CheckpointStore` adds the atomic rename.
/// Files use HDF5's oldest format that has creation-ordered groups, readable by
/// HDF5 ≥ 1.8, h5py, h5ls and h5dump.
public enum CheckpointFile {
    /// Writes `contents` to `path`, replacing any file there, and fsyncs it.
    /// - Throws: `CheckpointError` naming `path` and the reason.
    public static func write(_ contents: CheckpointContents, to path: String) throws {
        let bytes: [UInt8]
        do {
            let file = try HDF5File.createInMemory()
            try writeObjects(contents, root: file.root)
            bytes = try file.image()
        } catch let e as HDF5Error {
            throw CheckpointError("\(path): \(e.message)")
        }
        try FileDoor.writeNew(bytes, to: path)
    }

    // Separate so every group handle is released before the file closes.
    private static func writeObjects(_ c: CheckpointContents, root: HDF5Group) throws {
        try root.setAttribute("format", CheckpointContents.format)
        try root.setAttribute("version", CheckpointContents.version)
        try root.setAttribute("model", c.model)
        try root.setAttribute("scales", c.scales)
        try root.setAttribute("step", c.step)
        try root.setAttribute("stage", c.stage)
        try root.setAttribute("world_size", c.worldSize)
        try root.setAttribute("config", c.configJSON)
        try root.setAttribute("created", c.created)
        try root.setAttribute("blas", c.blas)
        try root.setAttribute("simd", c.simd)
        try root.setAttribute("precision", c.precision)
        try writeTensors(c.params, layout: c.layout, to: root.createGroup("params"))
        if let o = c.optimizer {
            let optim = try root.createGroup("optim")
            try optim.setAttribute("lr", o.learningRate)
            for (branch, t) in o.steps.sorted(by: { $0.key < $1.key }) { try optim.setAttribute("step.\(branch)", t) }
            try writeTensors(o.m, layout: c.layout, to: optim.createGroup("m"))
            try writeTensors(o.v, layout: c.layout, to: optim.createGroup("v"))
        }
        if let e = c.ema {
            let ema = try root.createGroup("ema")
            try ema.setAttribute("decay", e.decay)
            try writeTensors(e.params, layout: c.layout, to: ema)
        }
        let state = try root.createGroup("state")
        try state.setAttribute("data_step", c.state.dataStep)
        try state.setAttribute("rng_seed", c.state.rngSeed)
        try state.setAttribute("skipped_steps", c.state.skippedSteps)
        if let best = c.state.bestPSNR { try state.setAttribute("best_psnr", best) }
        if let best = c.state.bestStep { try state.setAttribute("best_step", best) }
        if let weights = c.state.batchWeights { try state.setAttribute("batch_weights", weights) }
        try state.writeString("metrics_history", c.state.metricsHistory)
    }

    private static func writeTensors(_ values: [Float], layout: ParameterLayout, to group: HDF5Group) throws {
        try values.withUnsafeBufferPointer { buffer in
            for v in layout.views { try group.writeFloats(v.name, shape: v.shape, from: buffer.baseAddress! + v.offset) }
        }
    }

    /// Reads a whole checkpoint. The format and version are checked first, then the
    /// header's values and counters, then every tensor's name, type and shape (against
    /// `limits`, and against the caller's model when `expecting` is given) — all before
    /// any tensor data is read or memory allocated for it. Every problem (missing,
    /// empty, not HDF5, still open for writing, truncated, not an srdist checkpoint,
    /// newer version, impossible counter, missing, misshapen or oversized tensor,
    /// non-finite values) is one `CheckpointError` line naming `path`.
    /// - Parameters:
    ///   - limits: size bounds and whether non-finite values are accepted.
    ///   - expecting: given the stored config JSON, the model the caller will load the
    ///     tensors into (built from bounded values), or nil to accept any tensor list.
    public static func read(path: String, limits: CheckpointLimits = CheckpointLimits(),
                            expecting: ((_ configJSON: String) throws -> CheckpointExpectation)? = nil) throws -> CheckpointContents {
        let bytes: [UInt8]
        do { bytes = try FileDoor.read(path, what: "checkpoint", maxBytes: limits.maxFileBytes) } catch { throw CheckpointError(describe(error)) }
        try CheckpointProbe.check(bytes, path: path)
        try HDF5GlobalHeaps.check(bytes, path: path)
        if case .child(let executable) = limits.isolation {
            try CheckpointSandbox.probe(path, bytes: bytes.count, executable: executable, limits: limits)
        }
        do {
            let file = try HDF5File.open(image: bytes)
            return try readObjects(file.root, path: path, limits: limits, expecting: expecting)
        } catch let e as HDF5Error {
            throw CheckpointError("\(path): \(e.message)" + (e.damaged ? " — the file is damaged, truncated or not an srdist checkpoint" : ""))
        }
    }

    private static func readObjects(_ root: HDF5Group, path: String, limits: CheckpointLimits,
                                    expecting: ((String) throws -> CheckpointExpectation)?) throws -> CheckpointContents {
        guard root.hasAttribute("format") else {
            throw CheckpointError("\(path): not an srdist checkpoint (the root has no 'format' attribute)")
        }
        let format = try root.stringAttribute("format")
        guard format == CheckpointContents.format else {
            throw CheckpointError("\(path): not an srdist checkpoint (format is \"\(format.prefix(80))\", expected \"\(CheckpointContents.format)\")")
        }
        let version = try root.intAttribute("version")
        guard version <= CheckpointContents.version else {
            throw CheckpointError("\(path): checkpoint format version \(version) is newer than this srdist reads "
                                  + "(\(CheckpointContents.version)) — hint: resume with the srdist build that wrote it, or upgrade")
        }
        let check = CheckpointChecks(path: path)
        let header = try check.header(root)
        guard root.contains("params") else { throw CheckpointError("\(path): the group /params is missing") }
        let paramsGroup = try root.openGroup("params")
        let layout = try check.tensorList(paramsGroup, limits: limits)
        if let expecting {
            try CheckpointContents.requireCompatible(model: header.model, scales: header.scales, layout: layout,
                                                     with: try expecting(header.configJSON), file: path)
        }

        var optimizer: OptimizerState?
        if root.contains("optim") {
            let optim = try root.openGroup("optim")
            let steps = try check.adamSteps(optim, step: header.step)
            let lr = try optim.doubleAttribute("lr")
            guard lr.isFinite, lr >= 0 else { throw CheckpointError("\(path): attribute /optim/lr is \(lr), must be a finite number ≥ 0") }
            let m = try optim.openGroup("m"), v = try optim.openGroup("v")
            try check.sameShapes(m, as: layout, group: "/optim/m")
            try check.sameShapes(v, as: layout, group: "/optim/v")
            optimizer = OptimizerState(m: try check.readTensors(m, layout: layout, group: "/optim/m", limits: limits),
                                       v: try check.readTensors(v, layout: layout, group: "/optim/v", limits: limits),
                                       steps: steps, learningRate: lr)
        }
        var ema: EMAWeights?
        if root.contains("ema") {
            let group = try root.openGroup("ema")
            let decay = try group.doubleAttribute("decay")
            guard (0..<1).contains(decay) else { throw CheckpointError("\(path): attribute /ema/decay is \(decay), must be in [0, 1)") }
            try check.sameShapes(group, as: layout, group: "/ema")
            ema = EMAWeights(decay: decay, params: try check.readTensors(group, layout: layout, group: "/ema", limits: limits))
        }
        let params = try check.readTensors(paramsGroup, layout: layout, group: "/params", limits: limits)
        let state = try check.state(try root.openGroup("state"), step: header.step)
        return CheckpointContents(model: header.model, scales: header.scales, step: header.step, stage: header.stage,
                                  worldSize: header.worldSize, configJSON: header.configJSON, created: header.created,
                                  layout: layout, params: params, optimizer: optimizer, ema: ema, state: state,
                                  blas: root.hasAttribute("blas") ? try root.stringAttribute("blas") : "",
                                  simd: root.hasAttribute("simd") ? try root.stringAttribute("simd") : "",
                                  precision: root.hasAttribute("precision") ? try root.stringAttribute("precision") : "")
    }
}
