import Data
import Foundation
import Train
import XCTest

/// The pieces of `eval --report`: the crop window, the metrics reader, the SVG charts.
final class EvaluationReportPartsTests: XCTestCase {
    func testWindowIsWhereTheImagesDifferMost() {
        let bicubic = RGBImage(width: 40, height: 30, pixels: [UInt8](repeating: 100, count: 40 * 30 * 3))
        var sr = bicubic
        // A faint difference everywhere, a strong one in the 6×6 block at (25, 17).
        for y in 0..<30 { for x in 0..<40 { sr[x, y, 0] = 101 } }
        for y in 17..<23 { for x in 25..<31 { sr[x, y, 1] = 160 } }
        let w = mostDifferentWindow(sr, bicubic, side: 6)
        XCTAssertEqual([w.x, w.y, w.side], [25, 17, 6])
        // Larger than the image: clamped to its height, at the first position holding the block.
        let whole = mostDifferentWindow(sr, bicubic, side: 96)
        XCTAssertEqual([whole.x, whole.y, whole.side], [1, 0, 30])
    }

    func testMetricsKeepTheLaterRecordOfAStepAndSkipCutLines() {
        let jsonl = """
        {"event":"progress","step":5,"loss":9.0,"lr":0.001}
        {"event":"progress","step":10,"loss":8.0,"lr":0.001}
        {"event":"validation","step":10,"psnr":20.5,"bicubic_psnr":19.0,"ssim":0.5}
        {"event":"checkpoint","step":10,"path":"x"}
        {"event":"progress","step":10,"loss":7.5,"lr":0.0005}
        {"event":"progr
        """
        let m = RunMetrics.parse(Data(jsonl.utf8))
        XCTAssertEqual(m.loss.map(\.step), [5, 10])
        XCTAssertEqual(m.loss.map(\.value), [9.0, 7.5])
        XCTAssertEqual(m.lr.map(\.value), [0.001, 0.0005])
        XCTAssertEqual(m.validationPSNR.map(\.value), [20.5])
        XCTAssertEqual(m.bicubicPSNR.map(\.value), [19.0])
        XCTAssertNil(RunMetrics.read("/nonexistent/metrics.jsonl"))
    }

    func testChartDrawsEverySeriesAndEscapesText() throws {
        let chart = SVGChart(title: "a <b> & c", yLabel: "PSNR", lines: [
            .init(label: "model", points: [(10, 20), (20, 22), (30, 23)], color: "#2ca02c"),
            .init(label: "bicubic", points: [(10, 19), (20, 19), (30, 19)], color: "#777", dashed: true),
        ])
        let svg = try XCTUnwrap(chart.svg())
        XCTAssertTrue(svg.hasPrefix("<svg xmlns='http://www.w3.org/2000/svg'") && svg.hasSuffix("</svg>"))
        XCTAssertTrue(svg.contains("a &lt;b&gt; &amp; c"))
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count, 3)
        // The highest value sits at the top of the plot area, the lowest at its bottom (y 28 … 240).
        XCTAssertTrue(svg.contains(",28.0'") || svg.contains(",28.0 "), "the maximum 23 at the top: \(svg)")
        XCTAssertTrue(svg.contains(",240.0"), "the minimum 19 at the bottom")
        XCTAssertNil(SVGChart(title: "empty", yLabel: "", lines: [.init(label: "x", points: [], color: "#000")]).svg())
        XCTAssertNil(SVGChart(title: "log", yLabel: "", lines: [.init(label: "x", points: [(1, 0)], color: "#000")], logY: true).svg(),
                     "a log axis has nothing to draw for values ≤ 0")
    }
}
