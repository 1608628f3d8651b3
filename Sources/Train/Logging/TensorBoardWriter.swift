import Data
import Foundation

/// Rank 0's TensorBoard events file, `<run>/tensorboard/events.out.tfevents.<time>.<host>.<pid>`:
/// one per process start (TensorBoard reads every file of the folder in order, so a
/// resumed run continues the curves), each event framed as a TFRecord and flushed
/// when written. A folder or file that cannot be written costs a warning on standard
/// error, never the run.
final class TensorBoardWriter {
    /// Events whose numeric fields become scalars, and the tag prefix they get:
    /// `progress` → `train/loss`, `train/lr`, …; `validation` → `validation/psnr`, ….
    static let prefixes = ["progress": "train", "validation": "validation"]
    /// Numeric fields that are positions or bookkeeping, not curves.
    static let skipped: Set<String> = ["step", "steps", "eta_seconds"]

    private let file: AppendFile

    /// Creates the folder and a new events file with its version record; nil (after
    /// a warning) when the folder cannot be made.
    init?(directory: String) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            FileHandle.standardError.write(Data("srdist: warning: \(directory): cannot create the TensorBoard folder (\(describeIOError(error))); no events are written\n".utf8))
            return nil
        }
        let now = Date().timeIntervalSince1970
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
        file = AppendFile((directory as NSString).appendingPathComponent("events.out.tfevents.\(Int(now)).\(host).\(getpid())"))
        file.append(TFRecord.frame(TensorBoardEvent.header(wallTime: now)), fallback: nil)
    }

    /// The scalars of one run-log record, at its `step` (records without one are not curves).
    func record(event: String, fields: [String: Any]) {
        guard let prefix = Self.prefixes[event], let step = fields["step"] as? Int else { return }
        let values: [TensorBoardEvent.Value] = fields.keys.sorted().compactMap { key in
            guard !Self.skipped.contains(key) else { return nil }
            switch fields[key] {
            case let x as Double: return .scalar(tag: "\(prefix)/\(key)", value: Float(x))
            case let x as Int: return .scalar(tag: "\(prefix)/\(key)", value: Float(x))
            default: return nil
            }
        }
        write(step: step, values)
    }

    /// An image summary, PNG-encoded.
    func image(_ image: RGBImage, tag: String, step: Int) {
        guard let png = try? PNGFile.encode(image) else { return }
        write(step: step, [.image(tag: tag, width: image.width, height: image.height, png: png)])
    }

    private func write(step: Int, _ values: [TensorBoardEvent.Value]) {
        guard !values.isEmpty else { return }
        let event = TensorBoardEvent.summary(wallTime: Date().timeIntervalSince1970, step: step, values: values)
        file.append(TFRecord.frame(event), fallback: nil)
    }
}
