import Foundation
import Models

/// The checks `CheckpointFile.read` applies while it reads, each failing with one line
/// naming the file and the attribute or tensor: values in range, counters consistent
/// with the step, tensor sizes bounded and backed by stored data before anything is
/// allocated for them, parameters and moments finite.
struct CheckpointChecks {
    let path: String

    /// The root attributes.
    struct Header {
        var model: String, scales: [Int], step: Int, stage: String, worldSize: Int, configJSON: String, created: String
    }

    func fail(_ what: String, _ why: String) -> CheckpointError { CheckpointError("\(path): \(what) \(why)") }

    /// A counter in 0…`upTo` (default: `CheckpointLimits.maxCounter`).
    func counter(_ g: HDF5Group, _ name: String, at where_: String, upTo limit: Int = CheckpointLimits.maxCounter,
                 limitName: String? = nil) throws -> Int {
        let v = try g.intAttribute(name)
        guard v >= 0 else { throw fail("attribute \(where_)\(name)", "is \(v), must not be negative") }
        guard v <= limit else { throw fail("attribute \(where_)\(name)", "is \(v), more than \(limitName ?? String(limit))") }
        return v
    }

    func text(_ g: HDF5Group, _ name: String, at where_: String, maxLength: Int) throws -> String {
        let s = try g.stringAttribute(name)
        guard s.utf8.count <= maxLength else { throw fail("attribute \(where_)\(name)", "is \(s.utf8.count) bytes long, more than \(maxLength)") }
        return s
    }

    func header(_ root: HDF5Group) throws -> Header {
        let model = try text(root, "model", at: "/", maxLength: 64)
        guard ["edsr", "mdsr"].contains(model) else { throw fail("attribute /model", "is \"\(model)\", expected \"edsr\" or \"mdsr\"") }
        let scales = try root.intsAttribute("scales")
        guard !scales.isEmpty, scales.allSatisfy([2, 3, 4].contains), Set(scales).count == scales.count,
              model == "mdsr" || scales.count == 1 else {
            throw fail("attribute /scales", "is \(scales.prefix(8)), expected \(model == "edsr" ? "one" : "distinct") scales of 2, 3, 4")
        }
        let worldSize = try counter(root, "world_size", at: "/", upTo: 1 << 24)
        guard worldSize >= 1 else { throw fail("attribute /world_size", "is 0, must be at least 1") }
        return Header(model: model, scales: scales, step: try counter(root, "step", at: "/"),
                      stage: try text(root, "stage", at: "/", maxLength: 256), worldSize: worldSize,
                      configJSON: try text(root, "config", at: "/", maxLength: 1 << 20),
                      created: try text(root, "created", at: "/", maxLength: 64))
    }

    /// The tensor list of `/params`: float32 tensors of at most 8 dimensions whose
    /// element counts (multiplied with overflow checks) stay within `limits` and whose
    /// stored bytes can hold them — so a small file cannot make srdist allocate much.
    func tensorList(_ g: HDF5Group, limits: CheckpointLimits) throws -> ParameterLayout {
        let names = try g.memberNames()
        guard names.count <= CheckpointLimits.maxTensors else {
            throw fail("group /params", "holds \(names.count) tensors, more than \(CheckpointLimits.maxTensors)")
        }
        var layout = ParameterLayout()
        for name in names {
            guard name.utf8.count <= 256 else { throw fail("tensor name /params/\(name.prefix(40))…", "is longer than 256 bytes") }
            let info = try g.floatDataset(name)
            let count = try elementCount(info, tensor: "/params/\(name)", limits: limits)
            guard layout.count <= limits.maxParameters - count else {
                throw fail("tensor /params/\(name)", "brings the parameter count past the limit of \(limits.maxParameters) "
                           + "(raise it with --max-parameters or checkpoint.max_parameters)")
            }
            guard layout.view(named: name) == nil else { throw fail("tensor /params/\(name)", "appears twice") }
            layout.add(name, info.shape)
        }
        return layout
    }

    private func elementCount(_ info: FloatDatasetInfo, tensor: String, limits: CheckpointLimits) throws -> Int {
        guard info.bytesPerElement == 4 else {
            throw fail("tensor \(tensor)", "holds \(info.bytesPerElement * 8)-bit floats, expected float32")
        }
        guard info.shape.count <= 8 else { throw fail("tensor \(tensor)", "has \(info.shape.count) dimensions, at most 8 are expected") }
        var count = 1
        for d in info.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= limits.maxParameters else {
                throw fail("tensor \(tensor)", "has shape \(info.shape), more than the limit of \(limits.maxParameters) elements "
                           + "(raise it with --max-parameters or checkpoint.max_parameters)")
            }
            count = product
        }
        // Unwritten contiguous data would read back as HDF5's fill value: a few bytes of
        // header could otherwise declare gigabytes.
        guard info.filtered || info.storedBytes >= count * 4 else {
            throw fail("tensor \(tensor)", "has shape \(info.shape) but only \(info.storedBytes) bytes stored — the file is damaged or truncated")
        }
        return count
    }

    /// `/optim/m` or `/optim/v` must list exactly the tensors of `/params`, same shapes.
    func sameShapes(_ g: HDF5Group, as layout: ParameterLayout, group: String) throws {
        let names = try g.memberNames()
        guard names.count <= CheckpointLimits.maxTensors else { throw fail("group \(group)", "holds \(names.count) tensors") }
        for v in layout.views {
            guard g.contains(v.name) else { throw fail("tensor \(group)/\(v.name)", "is missing") }
            let info = try g.floatDataset(v.name)
            guard info.shape == v.shape else { throw fail("tensor \(group)/\(v.name)", "has shape \(info.shape), /params/\(v.name) has \(v.shape)") }
            _ = try elementCount(info, tensor: "\(group)/\(v.name)", limits: CheckpointLimits(maxParameters: layout.count))
        }
        if let extra = names.first(where: { layout.view(named: $0) == nil }) {
            throw fail("tensor \(group)/\(extra)", "has no counterpart in /params")
        }
    }

    /// Adam's `step.<branch>` counters: each between 0 and the checkpoint's step.
    func adamSteps(_ optim: HDF5Group, step: Int) throws -> [String: Int] {
        var steps: [String: Int] = [:]
        for name in try optim.attributeNames() where name.hasPrefix("step.") {
            guard name.utf8.count <= 64, steps.count < 64 else { throw fail("attribute /optim/\(name.prefix(40))", "is one too many Adam counters") }
            steps[String(name.dropFirst(5))] = try counter(optim, name, at: "/optim/", upTo: step, limitName: "the checkpoint's step \(step)")
        }
        return steps
    }

    /// Reads every tensor of `layout` from `g` (names and shapes already checked by
    /// `tensorList` or `sameShapes`) and refuses
    /// non-finite values unless `limits` allows them.
    func readTensors(_ g: HDF5Group, layout: ParameterLayout, group: String, limits: CheckpointLimits) throws -> [Float] {
        var values = [Float](repeating: 0, count: layout.count)
        try values.withUnsafeMutableBufferPointer { buffer in
            for v in layout.views {
                try g.readFloats(v.name, into: buffer.baseAddress! + v.offset)
                if !limits.allowNonFinite, let bad = buffer[v.range].firstIndex(where: { !$0.isFinite }) {
                    throw fail("tensor \(group)/\(v.name)", "holds a non-finite value (\(buffer[bad]) at element \(bad - v.offset)) "
                               + "— the checkpoint is damaged or training diverged; use an earlier checkpoint "
                               + "(srdist inspect --allow-non-finite shows it)")
                }
            }
        }
        return values
    }

    /// The `/state` group: the data stream at the checkpoint's step, skip and best-step
    /// counters within it, a finite best PSNR.
    func state(_ s: HDF5Group, step: Int) throws -> TrainingState {
        let dataStep = try counter(s, "data_step", at: "/state/")
        guard dataStep == step else { throw fail("attribute /state/data_step", "is \(dataStep), the checkpoint's step is \(step)") }
        let upToStep = "the checkpoint's step \(step)"
        var best: Double?
        if s.hasAttribute("best_psnr") {
            let psnr = try s.doubleAttribute("best_psnr")
            guard psnr.isFinite else { throw fail("attribute /state/best_psnr", "is \(psnr), must be a finite number") }
            best = psnr
        }
        let history = try s.readString("metrics_history")
        var weights: [Int]?
        if s.hasAttribute("batch_weights") {
            let w = try s.intsAttribute("batch_weights")
            guard !w.isEmpty, w.count <= 1 << 20, w.allSatisfy({ (1...1_000_000).contains($0) }) else {
                throw fail("attribute /state/batch_weights", "must hold one weight from 1 to 1000000 per rank")
            }
            weights = w
        }
        return TrainingState(dataStep: dataStep, rngSeed: try s.uint64Attribute("rng_seed"),
                             skippedSteps: try counter(s, "skipped_steps", at: "/state/", upTo: step, limitName: upToStep),
                             bestPSNR: best,
                             bestStep: s.hasAttribute("best_step") ? try counter(s, "best_step", at: "/state/", upTo: step, limitName: upToStep) : nil,
                             metricsHistory: history, batchWeights: weights)
    }
}
