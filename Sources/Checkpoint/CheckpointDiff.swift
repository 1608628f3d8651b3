import Foundation

/// How one tensor differs between two checkpoints.
public struct TensorDifference: Codable, Equatable {
    public var name: String
    public var shape: [Int]
    /// Largest |a − b| over the elements.
    public var maxAbs: Double
    /// Mean |a − b|.
    public var meanAbs: Double
    /// ‖a − b‖ / ‖a‖ (∞ when a is all zeros and b is not, 0 when both are).
    public var relative: Double
}

/// The report of `srdist inspect --diff A B`: per-tensor differences, largest first,
/// and the tensors that cannot be compared.
public struct CheckpointDiff: Codable, Equatable {
    public var fileA: String
    public var fileB: String
    public var stepA: Int
    public var stepB: Int
    /// Tensors in both with the same shape, by decreasing `maxAbs`.
    public var tensors: [TensorDifference]
    public var onlyInA: [String]
    public var onlyInB: [String]
    /// Tensors in both with different shapes: `name: [a] vs [b]`.
    public var shapeMismatches: [String]

    public init(_ a: CheckpointContents, _ b: CheckpointContents, fileA: String, fileB: String) {
        (self.fileA, self.fileB, stepA, stepB) = (fileA, fileB, a.step, b.step)
        var diffs: [TensorDifference] = [], mismatched: [String] = []
        a.params.withUnsafeBufferPointer { pa in
            b.params.withUnsafeBufferPointer { pb in
                for va in a.layout.views {
                    guard let vb = b.layout.view(named: va.name) else { continue }
                    guard va.shape == vb.shape else { mismatched.append("\(va.name): \(va.shape) vs \(vb.shape)"); continue }
                    var (maxAbs, sumAbs, sumSq, normSq) = (0.0, 0.0, 0.0, 0.0)
                    for i in 0..<va.count {
                        let x = Double(pa[va.offset + i]), d = Double(pb[vb.offset + i]) - x
                        maxAbs = Swift.max(maxAbs, abs(d))
                        sumAbs += abs(d)
                        sumSq += d * d
                        normSq += x * x
                    }
                    let relative = normSq > 0 ? (sumSq / normSq).squareRoot() : (sumSq > 0 ? .infinity : 0)
                    diffs.append(TensorDifference(name: va.name, shape: va.shape, maxAbs: maxAbs,
                                                  meanAbs: sumAbs / Double(Swift.max(va.count, 1)), relative: relative))
                }
            }
        }
        tensors = diffs.sorted { $0.maxAbs > $1.maxAbs }
        onlyInA = a.layout.views.map(\.name).filter { b.layout.view(named: $0) == nil }
        onlyInB = b.layout.views.map(\.name).filter { a.layout.view(named: $0) == nil }
        shapeMismatches = mismatched
    }

    /// Whether the two checkpoints hold identical parameters.
    public var identical: Bool { onlyInA.isEmpty && onlyInB.isEmpty && shapeMismatches.isEmpty && tensors.allSatisfy { $0.maxAbs == 0 } }

    /// The `top` largest differences as text, then what could not be compared.
    public func text(top: Int) -> String {
        var lines = ["A  \(fileA) (step \(stepA))", "B  \(fileB) (step \(stepB))", ""]
        let shown = tensors.prefix(top)
        let width = Swift.max(6, shown.map(\.name.count).max() ?? 0)
        lines.append(pad("tensor", width) + "       max |Δ|     mean |Δ|   ‖Δ‖/‖A‖")
        for t in shown {
            lines.append(pad(t.name, width) + String(format: "  %12.5g %12.5g %9.3g", t.maxAbs, t.meanAbs, t.relative))
        }
        if tensors.count > top { lines.append("… \(tensors.count - top) more tensors with smaller differences") }
        lines += onlyInA.map { "only in A: \($0)" } + onlyInB.map { "only in B: \($0)" } + shapeMismatches.map { "shape differs: \($0)" }
        if identical { lines.append("the parameters are identical") }
        return lines.joined(separator: "\n")
    }

    /// The whole comparison as JSON.
    public var json: String { encodeJSON(self) }
}
