import Data
import Foundation
import Support
import Logging

/// Rank 0's voice: progress and event lines through swift-log to standard output (text
/// or one JSON object per line), the same lines appended to `<run>/train.log`, and every
/// record with numbers appended to `<run>/metrics.jsonl` for plotting and (progress and
/// validation records) to TensorBoard events in `<run>/tensorboard/`. Other ranks stay
/// silent so a 16-rank job prints each line once.
///
/// Writing never stops a run: a line the disk refuses (full, read-only, I/O error) goes
/// to standard error instead, with one warning per failure streak, and a run folder
/// that vanished is recreated (with a warning) before the next line.
public final class RunLog {
    public enum Format: String, Sendable { case text, json }

    let logger: Logger?
    let folder: RunFolder?
    let quiet: Bool
    private var logFile: AppendFile?
    private var metricsFile: AppendFile?
    private var tensorBoard: TensorBoardWriter?

    /// - Parameters:
    ///   - folder: the run folder (nil: no files, e.g. on ranks other than 0).
    ///   - quiet: no standard output (files are still written).
    public init(folder: RunFolder?, format: Format, quiet: Bool, enabled: Bool) {
        self.quiet = quiet
        guard enabled else { (logger, self.folder) = (nil, nil); return }
        logger = quiet ? nil : Logger(label: "srdist") { _ in LineHandler(format: format) }
        self.folder = folder
        openFiles()
    }

    private func openFiles() {
        guard let folder else { return }
        logFile = AppendFile((folder.path as NSString).appendingPathComponent("train.log"))
        metricsFile = AppendFile((folder.path as NSString).appendingPathComponent("metrics.jsonl"))
        tensorBoard = TensorBoardWriter(directory: (folder.path as NSString).appendingPathComponent("tensorboard"))
    }

    /// Adds an image summary (e.g. a validation crop) to the TensorBoard events.
    public func image(_ image: RGBImage, tag: String, step: Int) {
        tensorBoard?.image(image, tag: tag, step: step)
    }

    /// A human line; `fields` also go to metrics.jsonl when `record` is set.
    public func say(_ line: String, event: String = "info", fields: [String: Any] = [:], record: Bool = false) {
        if let warning = folder?.ensureExists() {
            openFiles()
            emit(warning, event: "run_folder", fields: [:], record: false)
        }
        emit(line, event: event, fields: fields, record: record)
    }

    private func emit(_ line: String, event: String, fields: [String: Any], record: Bool) {
        var metadata: Logger.Metadata = ["event": .string(event)]
        for (k, v) in fields { metadata[k] = .string(jsonScalar(v)) }
        logger?.info(Logger.Message(stringLiteral: line), metadata: metadata)
        // Standard output already carries the line unless --quiet.
        logFile?.append(line + "\n", fallback: quiet)
        if record, let metricsFile {
            var object = fields
            object["event"] = event
            object["time"] = ISO8601DateFormatter().string(from: Date())
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                metricsFile.append(String(decoding: data, as: UTF8.self) + "\n", fallback: true)
            }
            tensorBoard?.record(event: event, fields: fields)
        }
    }
}

/// A file opened for appending with plain POSIX calls, whose failures are reported on
/// standard error instead of trapping (Foundation's `FileHandle.write` traps on ENOSPC).
final class AppendFile {
    let path: String
    private let fd: Int32
    private var failing = false

    init(_ path: String) {
        self.path = path
        // Through the door: a link, FIFO or device in its place fails here (and is
        // reported at the first append) instead of blocking or writing elsewhere.
        fd = (try? FileDoor.openWritable(path, what: "log", append: true)) ?? -1
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Appends `text`; when that fails, warns once per failure streak and, with
    /// `fallback`, writes the text to standard error.
    func append(_ text: String, fallback: Bool) {
        append(Array(text.utf8), fallback: fallback ? text : nil)
    }

    /// Appends `bytes`; when that fails, warns once per failure streak and writes
    /// `fallback` (if any) to standard error.
    func append(_ bytes: [UInt8], fallback: String?) {
        var done = 0, failure: Int32 = fd >= 0 ? 0 : EBADF
        while failure == 0 && done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n > 0 { done += n } else if n < 0 && errno == EINTR { continue } else { failure = n < 0 ? errno : EIO }
        }
        if failure == 0 {
            if failing { standardError("srdist: \(path): writable again\n") }
            failing = false
            return
        }
        if !failing {
            standardError("srdist: warning: \(path): cannot write (\(String(cString: strerror(failure))))"
                          + (fallback != nil ? "; its lines go to standard error until it can\n" : "\n"))
        }
        failing = true
        if let fallback { standardError(fallback) }
    }
}

private func standardError(_ text: String) {
    let bytes = Array(text.utf8)
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeBytes { write(2, $0.baseAddress! + done, bytes.count - done) }
        if n > 0 { done += n } else if !(n < 0 && errno == EINTR) { return }
    }
}

private func jsonScalar(_ v: Any) -> String {
    switch v {
    case let d as Double: return d.isFinite ? String(d) : "null"
    case let f as Float: return String(Double(f))
    case let list as [Any]:
        return (try? JSONSerialization.data(withJSONObject: list, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "\(v)"
    default: return "\(v)"
    }
}

/// Prints the message alone (text) or the metadata plus message as one JSON object.
struct LineHandler: LogHandler {
    let format: RunLog.Format
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let (message, extra) = (event.message, event.metadata)
        switch format {
        case .text:
            print(message.description)
        case .json:
            var object: [String: Any] = ["message": message.description]
            for (k, v) in self.metadata.merging(extra ?? [:], uniquingKeysWith: { $1 }) {
                let text = "\(v)"
                object[k] = Double(text).map { $0 as Any } ?? text
            }
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                print(String(decoding: data, as: UTF8.self))
            }
        }
        fflush(stdout)
    }
}
