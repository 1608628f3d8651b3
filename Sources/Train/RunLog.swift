import Foundation
import Logging

/// Rank 0's voice: progress and event lines through swift-log to standard output (text
/// or one JSON object per line), the same lines appended to `<run>/train.log`, and every
/// record with numbers appended to `<run>/metrics.jsonl` for plotting. Other ranks stay
/// silent so a 16-rank job prints each line once.
public final class RunLog {
    public enum Format: String, Sendable { case text, json }

    let logger: Logger?
    let logFile: FileHandle?
    let metricsFile: FileHandle?

    /// - Parameters:
    ///   - runDir: the run folder (nil: no files, e.g. on ranks other than 0).
    ///   - quiet: no standard output (files are still written).
    public init(runDir: String?, format: Format, quiet: Bool, enabled: Bool) {
        guard enabled else { (logger, logFile, metricsFile) = (nil, nil, nil); return }
        logger = quiet ? nil : Logger(label: "srdist") { _ in LineHandler(format: format) }
        func open(_ name: String) -> FileHandle? {
            guard let runDir else { return nil }
            return RunFolderFiles.openForAppending((runDir as NSString).appendingPathComponent(name))
        }
        logFile = open("train.log")
        metricsFile = open("metrics.jsonl")
    }

    /// A human line; `fields` also go to metrics.jsonl when `record` is set.
    public func say(_ line: String, event: String = "info", fields: [String: Any] = [:], record: Bool = false) {
        var metadata: Logger.Metadata = ["event": .string(event)]
        for (k, v) in fields { metadata[k] = .string(jsonScalar(v)) }
        logger?.info(Logger.Message(stringLiteral: line), metadata: metadata)
        logFile?.write(Data((line + "\n").utf8))
        if record, let metricsFile {
            var object = fields
            object["event"] = event
            object["time"] = ISO8601DateFormatter().string(from: Date())
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                metricsFile.write(data + Data("\n".utf8))
            }
        }
    }
}

private func jsonScalar(_ v: Any) -> String {
    switch v {
    case let d as Double: return d.isFinite ? String(d) : "null"
    case let f as Float: return String(Double(f))
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
