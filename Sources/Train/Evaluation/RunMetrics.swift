import Foundation
import Support

/// The curves of a run, read from its `metrics.jsonl` (what `RunLog` appends): the
/// progress lines' loss and learning rate, and the validation PSNR of the model and of
/// bicubic. The file is appended by every (re)start, so a step can appear twice; the
/// later record wins (as in tools/plot_metrics.py), and a line cut short by a killed
/// job is skipped.
public struct RunMetrics: Equatable, Sendable {
    /// (step, value) points, by increasing step.
    public typealias Series = [(step: Int, value: Double)]

    public var loss: Series = []
    public var lr: Series = []
    public var validationPSNR: Series = []
    public var bicubicPSNR: Series = []

    public static func == (a: RunMetrics, b: RunMetrics) -> Bool {
        func same(_ x: Series, _ y: Series) -> Bool { x.map(\.step) == y.map(\.step) && x.map(\.value) == y.map(\.value) }
        return same(a.loss, b.loss) && same(a.lr, b.lr) && same(a.validationPSNR, b.validationPSNR) && same(a.bicubicPSNR, b.bicubicPSNR)
    }

    /// Files larger than this are read only up to it: a run logging every step for
    /// 300000 steps writes about 60 MB.
    public static let maxBytes = 256 << 20

    /// The run folder's `metrics.jsonl` for a checkpoint inside it (`<run>/checkpoints/step-….h5`);
    /// nil for a checkpoint elsewhere (imported, copied).
    public static func file(besideCheckpoint path: String) -> String? {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        guard folder.lastPathComponent == "checkpoints" else { return nil }
        return folder.deletingLastPathComponent().appendingPathComponent("metrics.jsonl").path
    }

    /// Reads `path`; nil when it does not exist or cannot be read.
    public static func read(_ path: String) -> RunMetrics? {
        guard let fd = try? FileDoor.openForReading(path, what: "metrics") else { return nil }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        guard let data = try? handle.read(upToCount: maxBytes) else { return nil }
        return parse(data)
    }

    /// The curves in `jsonl`, one JSON object per line.
    public static func parse(_ jsonl: Data) -> RunMetrics {
        var progress: [Int: [String: Any]] = [:], validation: [Int: [String: Any]] = [:]
        for line in jsonl.split(separator: UInt8(ascii: "\n")) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let step = (object["step"] as? NSNumber)?.intValue else { continue }
            switch object["event"] as? String {
            case "progress": progress[step] = object
            case "validation": validation[step] = object
            default: break
            }
        }
        func series(_ records: [Int: [String: Any]], _ key: String) -> Series {
            records.keys.sorted().compactMap { step in (records[step]?[key] as? NSNumber).map { (step, $0.doubleValue) } }
        }
        return RunMetrics(loss: series(progress, "loss"), lr: series(progress, "lr"),
                          validationPSNR: series(validation, "psnr"), bicubicPSNR: series(validation, "bicubic_psnr"))
    }

    public var isEmpty: Bool { loss.isEmpty && lr.isEmpty && validationPSNR.isEmpty }
}
