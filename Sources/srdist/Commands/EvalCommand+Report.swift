import Foundation
import Train

extension EvalCommand {
    /// Writes the report's page: a heading naming the checkpoint and the data, a line per
    /// scale, and the curves of the checkpoint's run folder when it has them.
    /// - Returns: the path of `index.html`.
    func writeReport(_ report: EvaluationReport, trained: TrainedModel, documents: [[String: Any]]) throws -> String {
        let metricsFile = RunMetrics.file(besideCheckpoint: trained.path)
        let details = documents.map { "×\($0["scale"] ?? ""): \(($0["images"] as? [Any])?.count ?? 0) images, \($0["protocol"] ?? "")" }
        return try report.write(title: "\(inference.checkpoint) (step \(trained.step)) on \(data)", details: details,
                                metrics: metricsFile.flatMap { RunMetrics.read($0) }, metricsSource: metricsFile)
    }
}
