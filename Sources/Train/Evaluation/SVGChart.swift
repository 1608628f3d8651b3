import Foundation

/// A line chart as inline SVG text (for the evaluation report: no scripts, no files,
/// readable in any browser): one or more series of (step, value) points over shared
/// axes, with five ticks per axis and a legend when there are several series.
public struct SVGChart {
    public struct Line {
        public var label: String
        public var points: RunMetrics.Series
        public var color: String
        public var dashed = false
        public init(label: String, points: RunMetrics.Series, color: String, dashed: Bool = false) {
            (self.label, self.points, self.color, self.dashed) = (label, points, color, dashed)
        }
    }

    public var title: String
    public var yLabel: String
    public var lines: [Line]
    /// A logarithmic value axis (the loss falls over decades).
    public var logY = false
    public var width = 520, height = 280

    public init(title: String, yLabel: String, lines: [Line], logY: Bool = false) {
        (self.title, self.yLabel, self.lines, self.logY) = (title, yLabel, lines, logY)
    }

    /// The `<svg>` element; nil when no line has a point to draw.
    public func svg() -> String? {
        let all = lines.flatMap(\.points).filter { $0.value.isFinite && (!logY || $0.value > 0) }
        guard let first = all.first else { return nil }
        let (left, right, top, bottom) = (64.0, 16.0, 28.0, 40.0)
        let (w, h) = (Double(width) - left - right, Double(height) - top - bottom)
        let f: (Double) -> Double = logY ? { log10($0) } : { $0 }
        var (x0, x1) = (Double(first.step), Double(first.step)), (y0, y1) = (f(first.value), f(first.value))
        for p in all { (x0, x1, y0, y1) = (min(x0, Double(p.step)), max(x1, Double(p.step)), min(y0, f(p.value)), max(y1, f(p.value))) }
        // A single value or step still gets an axis of some extent.
        if x1 == x0 { x1 = x0 + 1 }
        if y1 == y0 {
            // A constant (a learning rate between decays): a band around it, not through zero.
            let pad = logY || y0 == 0 ? 0.5 : abs(y0) * 0.1
            (y0, y1) = (y0 - pad, y1 + pad)
        }
        func px(_ step: Double) -> Double { left + (step - x0) / (x1 - x0) * w }
        func py(_ v: Double) -> Double { top + (1 - (v - y0) / (y1 - y0)) * h }
        // Attributes in single quotes: the text needs no escaped double quotes.
        var out = "<svg xmlns='http://www.w3.org/2000/svg' class='chart' width='\(width)' height='\(height)' "
            + "viewBox='0 0 \(width) \(height)' font-family='sans-serif' font-size='11'>"
        out += "<text x='\(fmt(left))' y='16' font-size='13' font-weight='bold'>\(escapeXML(title))</text>"
        out += "<rect x='\(fmt(left))' y='\(fmt(top))' width='\(fmt(w))' height='\(fmt(h))' fill='none' stroke='#888'/>"
        for xv in niceTicks(x0, x1) {
            let x = px(xv)
            out += "<line x1='\(fmt(x))' y1='\(fmt(top))' x2='\(fmt(x))' y2='\(fmt(top + h))' stroke='#ddd'/>"
            out += "<text x='\(fmt(x))' y='\(fmt(top + h + 14))' text-anchor='middle'>\(Int(xv.rounded()))</text>"
        }
        // Log axes: five even ticks (a loss spans less than a decade or two); linear: round values.
        for yv in logY ? (0...4).map({ y0 + Double($0) / 4 * (y1 - y0) }) : niceTicks(y0, y1) {
            let y = py(yv)
            out += "<line x1='\(fmt(left))' y1='\(fmt(y))' x2='\(fmt(left + w))' y2='\(fmt(y))' stroke='#ddd'/>"
            out += "<text x='\(fmt(left - 4))' y='\(fmt(y + 4))' text-anchor='end'>\(String(format: "%.4g", logY ? pow(10, yv) : yv))</text>"
        }
        out += "<text x='\(fmt(left + w / 2))' y='\(height - 6)' text-anchor='middle'>step</text>"
        out += "<text transform='translate(12 \(fmt(top + h / 2))) rotate(-90)' text-anchor='middle'>\(escapeXML(yLabel))</text>"
        for (k, line) in lines.enumerated() {
            let points = line.points.filter { $0.value.isFinite && (!logY || $0.value > 0) }
            let coordinates = points.map { "\(fmt(px(Double($0.step)))),\(fmt(py(f($0.value))))" }.joined(separator: " ")
            let dash = line.dashed ? " stroke-dasharray='5 3'" : ""
            out += "<polyline class='series' fill='none' stroke='\(line.color)' stroke-width='1.5'\(dash) points='\(coordinates)'/>"
            if points.count == 1 {
                out += "<circle cx='\(fmt(px(Double(points[0].step))))' cy='\(fmt(py(f(points[0].value))))' r='3' fill='\(line.color)'/>"
            }
            if lines.count > 1 {
                let y = top + 14 + Double(k) * 14
                out += "<line x1='\(fmt(left + w - 90))' y1='\(fmt(y - 4))' x2='\(fmt(left + w - 70))' y2='\(fmt(y - 4))' "
                    + "stroke='\(line.color)' stroke-width='2'\(dash)/>"
                out += "<text x='\(fmt(left + w - 66))' y='\(fmt(y))'>\(escapeXML(line.label))</text>"
            }
        }
        return out + "</svg>"
    }

    func fmt(_ v: Double) -> String { String(format: "%.1f", v) }

    /// About five round values (multiples of 1, 2 or 5 × 10ᵏ) within `lo…hi`.
    func niceTicks(_ lo: Double, _ hi: Double) -> [Double] {
        let raw = (hi - lo) / 4
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let first = (lo / step).rounded(.up)
        return (0...8).map { (first + Double($0)) * step }.filter { $0 <= hi + step * 1e-9 }
    }
}

/// `text` with the characters XML and HTML treat specially replaced by entities.
public func escapeXML(_ text: String) -> String {
    var out = ""
    for c in text {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(c)
        }
    }
    return out
}
