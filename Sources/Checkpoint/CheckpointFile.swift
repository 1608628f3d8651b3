import Foundation
import Models

/// Reads and writes one checkpoint file in the srdist HDF5 schema (version 1):
///
///     /                 attrs format "srdist-checkpoint", version, model, scales, step,
///                             stage, world_size, config (JSON), created (ISO 8601),
///                             blas and simd (what computed it; absent in older files)
///     /params/<name>    float32, the tensor's shape, EDSR-PyTorch name
///     /optim            attrs lr, step.<branch> (Adam's update counters)
///     /optim/m/<name>   Adam's first moment     /optim/v/<name>  second moment
///     /state            attrs data_step, rng_seed (uint64), skipped_steps,
///                             best_psnr and best_step (when evaluated)
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
        try DurableFile.write(bytes, to: path)
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
        try writeTensors(c.params, layout: c.layout, to: root.createGroup("params"))
        if let o = c.optimizer {
            let optim = try root.createGroup("optim")
            try optim.setAttribute("lr", o.learningRate)
            for (branch, t) in o.steps.sorted(by: { $0.key < $1.key }) { try optim.setAttribute("step.\(branch)", t) }
            try writeTensors(o.m, layout: c.layout, to: optim.createGroup("m"))
            try writeTensors(o.v, layout: c.layout, to: optim.createGroup("v"))
        }
        let state = try root.createGroup("state")
        try state.setAttribute("data_step", c.state.dataStep)
        try state.setAttribute("rng_seed", c.state.rngSeed)
        try state.setAttribute("skipped_steps", c.state.skippedSteps)
        if let best = c.state.bestPSNR { try state.setAttribute("best_psnr", best) }
        if let best = c.state.bestStep { try state.setAttribute("best_step", best) }
        try state.writeString("metrics_history", c.state.metricsHistory)
    }

    private static func writeTensors(_ values: [Float], layout: ParameterLayout, to group: HDF5Group) throws {
        try values.withUnsafeBufferPointer { buffer in
            for v in layout.views { try group.writeFloats(v.name, shape: v.shape, from: buffer.baseAddress! + v.offset) }
        }
    }

    /// Reads a whole checkpoint. The format and version are checked before anything
    /// else; every problem (missing, empty, not HDF5, still open for writing,
    /// truncated, not an srdist checkpoint, newer version, missing or misshapen
    /// tensor) is one `CheckpointError` line naming `path`.
    public static func read(path: String) throws -> CheckpointContents {
        try CheckpointProbe.check(path)
        do {
            let file = try HDF5File.open(path)
            return try readObjects(file.root, path: path)
        } catch let e as HDF5Error {
            throw CheckpointError("\(path): \(e.message) — the file is damaged, truncated or not an srdist checkpoint")
        }
    }

    private static func readObjects(_ root: HDF5Group, path: String) throws -> CheckpointContents {
        guard root.hasAttribute("format") else {
            throw CheckpointError("\(path): not an srdist checkpoint (the root has no 'format' attribute)")
        }
        let format = try root.stringAttribute("format")
        guard format == CheckpointContents.format else {
            throw CheckpointError("\(path): not an srdist checkpoint (format is \"\(format)\", expected \"\(CheckpointContents.format)\")")
        }
        let version = try root.intAttribute("version")
        guard version <= CheckpointContents.version else {
            throw CheckpointError("\(path): checkpoint format version \(version) is newer than this srdist reads "
                                  + "(\(CheckpointContents.version)) — hint: resume with the srdist build that wrote it, or upgrade")
        }
        guard root.contains("params") else { throw CheckpointError("\(path): the group /params is missing") }
        let paramsGroup = try root.openGroup("params")
        var layout = ParameterLayout()
        for name in try paramsGroup.memberNames() { layout.add(name, try paramsGroup.floatShape(name)) }
        let params = try readTensors(paramsGroup, layout: layout, group: "/params", path: path)

        var optimizer: OptimizerState?
        if root.contains("optim") {
            let optim = try root.openGroup("optim")
            var steps: [String: Int] = [:]
            for name in try optim.attributeNames() where name.hasPrefix("step.") {
                steps[String(name.dropFirst(5))] = try optim.intAttribute(name)
            }
            let m = try readTensors(optim.openGroup("m"), layout: layout, group: "/optim/m", path: path)
            let v = try readTensors(optim.openGroup("v"), layout: layout, group: "/optim/v", path: path)
            optimizer = OptimizerState(m: m, v: v, steps: steps, learningRate: try optim.doubleAttribute("lr"))
        }

        let s = try root.openGroup("state")
        let state = TrainingState(dataStep: try s.intAttribute("data_step"), rngSeed: try s.uint64Attribute("rng_seed"),
                                  skippedSteps: try s.intAttribute("skipped_steps"),
                                  bestPSNR: s.hasAttribute("best_psnr") ? try s.doubleAttribute("best_psnr") : nil,
                                  bestStep: s.hasAttribute("best_step") ? try s.intAttribute("best_step") : nil,
                                  metricsHistory: try s.readString("metrics_history"))
        return CheckpointContents(model: try root.stringAttribute("model"), scales: try root.intsAttribute("scales"),
                                   step: try root.intAttribute("step"), stage: try root.stringAttribute("stage"),
                                   worldSize: try root.intAttribute("world_size"), configJSON: try root.stringAttribute("config"),
                                   created: try root.stringAttribute("created"), layout: layout,
                                   params: params, optimizer: optimizer, state: state,
                                   blas: root.hasAttribute("blas") ? try root.stringAttribute("blas") : "",
                                   simd: root.hasAttribute("simd") ? try root.stringAttribute("simd") : "")
    }

    /// Reads every tensor of `layout` from `group`; each must exist with its shape.
    private static func readTensors(_ g: HDF5Group, layout: ParameterLayout, group: String, path: String) throws -> [Float] {
        var values = [Float](repeating: 0, count: layout.count)
        try values.withUnsafeMutableBufferPointer { buffer in
            for v in layout.views {
                guard g.contains(v.name) else { throw CheckpointError("\(path): tensor \(group)/\(v.name) is missing") }
                let shape = try g.floatShape(v.name)
                guard shape == v.shape else {
                    throw CheckpointError("\(path): tensor \(group)/\(v.name) has shape \(shape), /params/\(v.name) has \(v.shape)")
                }
                try g.readFloats(v.name, into: buffer.baseAddress! + v.offset)
            }
        }
        return values
    }
}
