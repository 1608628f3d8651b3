import Data
import Foundation
import Support

/// `srdist eval --report DIR`: `DIR/index.html`, one table row per image and scale with
/// PSNR/SSIM (model and bicubic) and three crops side by side — bicubic | srdist | HR,
/// at the window where the model and bicubic differ most — saved as PNG files in
/// `DIR/crops/` and linked relatively, plus the run's loss, learning-rate and
/// validation-PSNR curves as inline SVG when the checkpoint's run folder has
/// `metrics.jsonl`. Self-contained: the folder can be copied or served as it is. The
/// markup is also well-formed XML (void elements closed), so tools can parse it.
public final class EvaluationReport {
    /// One table row.
    struct Row {
        var scale: Int
        var result: ImageResult
        var crops: [String]  // bicubic, srdist, HR: paths relative to the folder
        var window: (x: Int, y: Int, side: Int)
    }

    public let folder: String
    /// Side of the crops in HR pixels (shown enlarged ×2 in the page).
    public let cropSide: Int
    var rows: [Row] = []

    /// Creates `folder` and `folder/crops`.
    /// - Throws: `DataError` naming the folder when it cannot be created.
    public init(folder: String, cropSide: Int = 96) throws {
        (self.folder, self.cropSide) = (folder, cropSide)
        try createFolder((folder as NSString).appendingPathComponent("crops"))
    }

    /// Picks the image's crop window, writes its three crops and records its row.
    /// - Throws: `DataError` when a crop cannot be written.
    public func add(_ image: EvaluatedImage, scale: Int) throws {
        let window = mostDifferentWindow(image.sr, image.bicubic, side: cropSide)
        // Names from the image name, made safe for a URL and unique by their row number.
        let safe = String(image.result.name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" })
        let stem = String(format: "x%d_%03d_", scale, rows.count + 1) + safe
        var crops: [String] = []
        for (picture, kind) in [(image.bicubic, "bicubic"), (image.sr, "srdist"), (image.hr, "hr")] {
            let relative = "crops/\(stem)_\(kind).png"
            try PNGFile.write(picture.cropped(x: window.x, y: window.y, width: window.side, height: window.side),
                              to: (folder as NSString).appendingPathComponent(relative))
            crops.append(relative)
        }
        rows.append(Row(scale: scale, result: image.result, crops: crops, window: window))
    }

    /// Writes `index.html` (atomically: a finished temporary file renamed into place).
    /// - Parameters:
    ///   - title: the page's heading (checkpoint, step, data set).
    ///   - details: one line per scale under it (protocol, images).
    ///   - metrics: the run's curves, nil when the checkpoint has no run folder with `metrics.jsonl`.
    /// - Returns: the page's path.
    @discardableResult
    public func write(title: String, details: [String], metrics: RunMetrics?, metricsSource: String?) throws -> String {
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"/><title>\(escapeXML(title))</title>
        <style>
        body { font-family: sans-serif; margin: 1.5em; color: #222; }
        table { border-collapse: collapse; } td, th { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: right; vertical-align: middle; }
        td.name, th.name { text-align: left; } tr.mean td { font-weight: bold; border-top: 2px solid #888; }
        figure { display: inline-block; margin: 0 4px; text-align: center; } figcaption { font-size: 12px; color: #555; }
        img.crop { width: \(2 * cropSide)px; height: \(2 * cropSide)px; image-rendering: pixelated; }
        .better { color: #070; } .worse { color: #a00; } .charts svg { margin: 0 12px 12px 0; }
        </style></head><body>
        <h1>\(escapeXML(title))</h1>

        """
        for line in details { html += "<p>\(escapeXML(line))</p>\n" }
        for scale in Array(Set(rows.map(\.scale))).sorted() {
            let scaleRows = rows.filter { $0.scale == scale }
            html += "<h2>×\(scale)</h2>\n<table class=\"images\">\n<tr><th class=\"name\">image</th><th>PSNR</th><th>SSIM</th>"
                + "<th>bicubic PSNR</th><th>bicubic SSIM</th><th>gain</th><th>bicubic | srdist | HR</th></tr>\n"
            for row in scaleRows { html += tableRow(row) }
            let model = meanScores(scaleRows.map(\.result.model)), bicubic = meanScores(scaleRows.map(\.result.bicubic))
            html += "<tr class=\"mean\"><td class=\"name\">mean of \(scaleRows.count)</td>"
                + String(format: "<td>%.2f</td><td>%.4f</td><td>%.2f</td><td>%.4f</td>", model.psnr, model.ssim, bicubic.psnr, bicubic.ssim)
                + gainCell(model.psnr - bicubic.psnr) + "<td></td></tr>\n</table>\n"
        }
        html += "<h2>Training curves</h2>\n"
        if let metrics, !metrics.isEmpty {
            html += "<p>From \(escapeXML(metricsSource ?? "metrics.jsonl")).</p>\n<div class=\"charts\">\n"
            let charts = [
                SVGChart(title: "training loss", yLabel: "L1 loss", lines: [.init(label: "loss", points: metrics.loss, color: "#1f77b4")], logY: true),
                SVGChart(title: "learning rate", yLabel: "lr", lines: [.init(label: "lr", points: metrics.lr, color: "#ff7f0e")]),
                SVGChart(title: "validation PSNR", yLabel: "PSNR (dB)",
                         lines: [.init(label: "model", points: metrics.validationPSNR, color: "#2ca02c"),
                                 .init(label: "bicubic", points: metrics.bicubicPSNR, color: "#7f7f7f", dashed: true)]),
            ]
            for chart in charts { if let svg = chart.svg() { html += svg + "\n" } }
            html += "</div>\n"
        } else {
            html += "<p>None: the checkpoint has no run folder with a metrics.jsonl (an imported or copied file).</p>\n"
        }
        html += "</body></html>\n"
        let path = (folder as NSString).appendingPathComponent("index.html")
        do { try FileDoor.writeAtomically(Array(html.utf8), to: path, what: "report") } catch {
            throw DataError(describe(error))
        }
        return path
    }

    func tableRow(_ row: Row) -> String {
        let r = row.result
        let figures = zip(row.crops, ["bicubic", "srdist", "HR"]).map { src, caption in
            "<figure><img class=\"crop\" src=\"\(escapeXML(src))\" alt=\"\(caption)\"/><figcaption>\(caption)</figcaption></figure>"
        }.joined()
        return "<tr><td class=\"name\">\(escapeXML(r.name))<br/><small>crop \(row.window.side)² at (\(row.window.x), \(row.window.y))</small></td>"
            + String(format: "<td>%.2f</td><td>%.4f</td><td>%.2f</td><td>%.4f</td>", r.model.psnr, r.model.ssim, r.bicubic.psnr, r.bicubic.ssim)
            + gainCell(r.model.psnr - r.bicubic.psnr) + "<td>\(figures)</td></tr>\n"
    }

    func gainCell(_ gain: Double) -> String {
        String(format: "<td class=\"%@\">%+.2f dB</td>", gain >= 0 ? "better" : "worse", gain)
    }
}
