import Models

/// Putting a checkpoint's tensors back into a model's arenas: strictly for resume,
/// leniently (by name and shape) for `init_from`.
extension CheckpointContents {
    /// Throws unless this checkpoint can resume a run of `model` at `scales` whose
    /// parameters are laid out as `layout`: same architecture and scales, every
    /// tensor present with the model's shape, no tensor the model lacks.
    /// - Parameter file: the checkpoint's path, for the message.
    /// - Throws: `CheckpointError`, one line naming the file and the first difference.
    public func requireCompatible(model: String, scales: [Int], layout: ParameterLayout, file: String) throws {
        try Self.requireCompatible(model: self.model, scales: self.scales, layout: self.layout,
                                   with: CheckpointExpectation(model: model, scales: scales, layout: layout), file: file)
    }

    /// The same check on a file's header and tensor list alone (`CheckpointFile.read`
    /// runs it before reading any tensor data).
    static func requireCompatible(model stored: String, scales storedScales: [Int], layout storedLayout: ParameterLayout,
                                  with expected: CheckpointExpectation, file: String) throws {
        let (model, scales, layout) = (expected.model, expected.scales, expected.layout)
        guard stored == model, storedScales == scales else {
            throw CheckpointError("\(file): checkpoint is for \(stored) \(scaleText(storedScales)), this run trains "
                                  + "\(model) \(scaleText(scales)) — hint: use init_from to start from another model's weights")
        }
        for v in layout.views {
            guard let mine = storedLayout.view(named: v.name) else {
                throw CheckpointError("\(file): tensor /params/\(v.name) is missing (the model has \(layout.views.count) tensors, "
                                      + "the checkpoint \(storedLayout.views.count))")
            }
            guard mine.shape == v.shape else {
                throw CheckpointError("\(file): tensor /params/\(v.name) has shape \(mine.shape), the model needs \(v.shape)")
            }
        }
        if let extra = storedLayout.views.first(where: { layout.view(named: $0.name) == nil }) {
            throw CheckpointError("\(file): tensor /params/\(extra.name) is not part of the \(model) model being trained")
        }
    }

    /// Copies the tensors of `values` (flat, in this checkpoint's layout: `params`,
    /// `optimizer.m` or `optimizer.v`) into an arena laid out as `layout`, by name.
    /// Call `requireCompatible` first; tensors the checkpoint lacks are left as they are.
    public func scatter(_ values: [Float], into arena: UnsafeMutablePointer<Float>, layout: ParameterLayout) {
        precondition(values.count == self.layout.count, "scatter: values must be in the checkpoint's layout")
        values.withUnsafeBufferPointer { source in
            for v in layout.views {
                guard let mine = self.layout.view(named: v.name), mine.shape == v.shape else { continue }
                (arena + v.offset).update(from: source.baseAddress! + mine.offset, count: v.count)
            }
        }
    }

    /// `×2`, `×2/3/4`.
    static func scaleText(_ scales: [Int]) -> String { "×" + scales.map(String.init).joined(separator: "/") }
}

/// The outcome of starting from another checkpoint's weights.
public struct InitFromReport: Equatable {
    /// Tensors copied (name and shape matched), in the model's order.
    public var copied: [String]
    /// Model tensors left at their fresh initialisation, with the reason.
    public var skipped: [Skipped]
    /// Checkpoint tensors the model has no place for.
    public var unused: [String]

    public struct Skipped: Equatable {
        public var name: String
        public var reason: String

        public init(name: String, reason: String) { (self.name, self.reason) = (name, reason) }
    }

    /// Human-readable lines for the run log: a count, then one line per skip.
    public var lines: [String] {
        ["init_from: copied \(copied.count) tensors, skipped \(skipped.count), \(unused.count) checkpoint tensors unused"]
            + skipped.map { "init_from: skipped \($0.name): \($0.reason)" }
            + unused.map { "init_from: unused \($0)" }
    }
}

/// Copies every tensor of `source` whose name and shape match a tensor of `layout`
/// into `params`; the others keep their values (the fresh initialisation). This is
/// how ×3/×4 EDSR start from a trained ×2 model: all but the upsampler carries over.
/// Adam's state is not copied: the optimizer starts fresh.
/// - Parameters:
///   - source: the checkpoint to take weights from (any model and scale).
///   - layout: the model's parameter layout.
///   - params: the model's parameter arena, `layout.count` floats.
/// - Returns: which tensors were copied, skipped (and why) or unused.
public func copyMatching(from source: CheckpointContents, into layout: ParameterLayout,
                         params: UnsafeMutablePointer<Float>) -> InitFromReport {
    var report = InitFromReport(copied: [], skipped: [], unused: [])
    for v in layout.views {
        guard let theirs = source.layout.view(named: v.name) else {
            report.skipped.append(.init(name: v.name, reason: "not in the checkpoint"))
            continue
        }
        guard theirs.shape == v.shape else {
            report.skipped.append(.init(name: v.name, reason: "shape \(theirs.shape) in the checkpoint, the model needs \(v.shape)"))
            continue
        }
        report.copied.append(v.name)
    }
    source.scatter(source.params, into: params, layout: layout)
    report.unused = source.layout.views.map(\.name).filter { layout.view(named: $0) == nil }
    return report
}
