import Foundation
import Models

/// Mean, standard deviation and range of one tensor (what `srdist inspect` prints).
public struct TensorStatistics: Codable, Equatable {
    public var name: String
    public var shape: [Int]
    public var mean: Double
    /// Population standard deviation (divides by the element count).
    public var std: Double
    public var min: Double
    public var max: Double
    /// NaN and ±∞ elements; mean, std, min and max are over the finite ones.
    public var nonFinite: Int

    /// Statistics of `values` (`view.count` floats), accumulated in Double so that
    /// millions of elements do not lose the mean to rounding.
    public init(_ view: TensorView, _ values: UnsafeBufferPointer<Float>) {
        var (sum, sumSquares, lo, hi, bad, n) = (0.0, 0.0, Double.infinity, -Double.infinity, 0, 0)
        for x in values {
            guard x.isFinite else { bad += 1; continue }
            let d = Double(x)
            sum += d
            sumSquares += d * d
            lo = Swift.min(lo, d)
            hi = Swift.max(hi, d)
            n += 1
        }
        let mean = n > 0 ? sum / Double(n) : .nan
        (name, shape, nonFinite) = (view.name, view.shape, bad)
        self.mean = mean
        std = n > 0 ? Swift.max(0, sumSquares / Double(n) - mean * mean).squareRoot() : .nan
        (min, max) = n > 0 ? (lo, hi) : (.nan, .nan)
    }
}

/// The report of `srdist inspect FILE`: the header and per-tensor statistics.
public struct CheckpointSummary: Codable, Equatable {
    public var file: String
    public var model: String
    public var scales: [Int]
    public var step: Int
    public var stage: String
    public var worldSize: Int
    public var created: String
    public var parameterCount: Int
    public var hasOptimizerState: Bool
    public var optimizerSteps: [String: Int]
    /// The moving average's decay when the checkpoint holds EMA weights (`/ema`), else nil.
    public var emaDecay: Double?
    public var dataStep: Int
    public var bestPSNR: Double?
    public var tensors: [TensorStatistics]

    public init(_ c: CheckpointContents, file: String) {
        (self.file, model, scales, step, stage) = (file, c.model, c.scales, c.step, c.stage)
        (worldSize, created, parameterCount) = (c.worldSize, c.created, c.layout.count)
        (hasOptimizerState, optimizerSteps, emaDecay) = (c.optimizer != nil, c.optimizer?.steps ?? [:], c.ema?.decay)
        (dataStep, bestPSNR) = (c.state.dataStep, c.state.bestPSNR)
        tensors = c.params.withUnsafeBufferPointer { all in
            c.layout.views.map { TensorStatistics($0, UnsafeBufferPointer(rebasing: all[$0.range])) }
        }
    }

    /// The human-readable report: a header block, then one line per tensor.
    public var text: String {
        var lines = [
            "file         \(file)",
            "model        \(model) \(CheckpointContents.scaleText(scales))",
            "step         \(step) (stage \(stage), \(worldSize) rank\(worldSize == 1 ? "" : "s"), created \(created))",
            "parameters   \(parameterCount) in \(tensors.count) tensors",
            "optimizer    " + (hasOptimizerState
                ? "Adam, steps " + optimizerSteps.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                : "none (weights only)"),
            "ema          " + (emaDecay.map { "present (decay \($0)); eval and upscale use it unless --no-ema" } ?? "none"),
            "data step    \(dataStep)" + (bestPSNR.map { String(format: ", best PSNR %.3f dB", $0) } ?? ""),
            "",
        ]
        let width = Swift.max(6, tensors.map(\.name.count).max() ?? 0)
        let shapes = tensors.map { "[" + $0.shape.map(String.init).joined(separator: ", ") + "]" }
        let shapeWidth = Swift.max(5, shapes.map(\.count).max() ?? 0)
        lines.append(pad("tensor", width) + "  " + pad("shape", shapeWidth)
                     + "         mean          std          min          max")
        for (t, shape) in zip(tensors, shapes) {
            lines.append(pad(t.name, width) + "  " + pad(shape, shapeWidth)
                         + String(format: " %12.5g %12.5g %12.5g %12.5g", t.mean, t.std, t.min, t.max)
                         + (t.nonFinite > 0 ? "  (\(t.nonFinite) non-finite)" : ""))
        }
        return lines.joined(separator: "\n")
    }

    /// The report as JSON (sorted keys; NaN and infinities as strings).
    public var json: String { encodeJSON(self) }
}

func pad(_ s: String, _ width: Int) -> String { s.padding(toLength: max(width, s.count), withPad: " ", startingAt: 0) }

func encodeJSON<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    // Encoding plain structs of numbers and strings cannot fail.
    return String(decoding: try! encoder.encode(value), as: UTF8.self)
}
