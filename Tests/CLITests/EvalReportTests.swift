import Data
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import TestSupport
import XCTest

/// A tiny run validating on a plain folder of HR images (`data.validation_root`), then
/// `srdist eval --report` on it: the page's rows, its crops and its curves.
final class EvalReportTests: XCTestCase {
    static let dir = NSTemporaryDirectory() + "srdist-report-\(UUID().uuidString)"
    static var training: (status: Int32, output: String)?

    /// 20 steps of a B1 F8 model on 3 generated images, validated on 2 others every 10 steps (a few seconds).
    override class func setUp() {
        do {
            for (folder, range) in [("train", 0..<3), ("photos", 3..<5)] {
                try FileManager.default.createDirectory(atPath: "\(dir)/\(folder)", withIntermediateDirectories: true)
                for i in range { try PNGFile.write(SyntheticImages.image(index: i, size: 48, seed: 3), to: "\(dir)/\(folder)/img\(i).png") }
            }
            let config = """
            { "name": "report", "run_dir": "\(dir)/run",
              "model": { "arch": "edsr", "scale": 2, "blocks": 1, "features": 8 },
              "train": { "batch_size": 4, "patch_size": 12, "steps": 20, "lr": 1e-3, "log_every": 5, "eval_every": 10, "threads_per_rank": 1 },
              "data": { "kind": "folder", "root": "\(dir)/train", "data_range": "1-3", "validation_root": "\(dir)/photos", "cache_dir": "\(dir)/cache" } }
            """
            try config.write(toFile: "\(dir)/report.json", atomically: true, encoding: .utf8)
            training = try srdist(["--config", "\(dir)/report.json", "--quiet"])
        } catch { training = (-1, "\(error)") }
    }

    override class func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    var dir: String { Self.dir }

    func testTrainingValidatesOnAPlainFolder() throws {
        XCTAssertEqual(Self.training?.status, 0, Self.training?.output ?? "")
        let lines = try String(contentsOfFile: "\(dir)/run/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        let validation = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["event"] as? String == "validation" }
        XCTAssertEqual(validation.compactMap { $0["step"] as? Int }, [10, 20])
        XCTAssertTrue(validation.allSatisfy { ($0["psnr"] as? Double)?.isFinite == true && ($0["bicubic_psnr"] as? Double ?? 0) > 10 }, "\(validation)")
        // Its LR images were generated into the cache, none written beside the photos.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/photos").sorted(), ["img3.png", "img4.png"])
    }

    func testReportHasARowPerImageCropsAndCurves() throws {
        XCTAssertEqual(Self.training?.status, 0, Self.training?.output ?? "")
        let r = try srdist(["eval", "--checkpoint", "\(dir)/run", "--data", "\(dir)/photos", "--report", "\(dir)/report", "--cache-dir", "\(dir)/cache"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.hasSuffix("report: \(dir)/report/index.html\n"), r.output)
        let page = try XMLDocument(contentsOf: URL(fileURLWithPath: "\(dir)/report/index.html"), options: [])
        let rows = try page.nodes(forXPath: "//table[@class='images']/tr[td]")
        XCTAssertEqual(rows.count, 3, "two images and the mean")
        XCTAssertEqual(try page.nodes(forXPath: "//tr[@class='mean']").count, 1)
        XCTAssertEqual(rows.first?.stringValue?.hasPrefix("img3"), true, rows.first?.stringValue ?? "")
        let sources = try page.nodes(forXPath: "//img/@src").compactMap(\.stringValue)
        XCTAssertEqual(sources.count, 6, "bicubic | srdist | HR per image")
        for src in sources {
            XCTAssertTrue(src.hasPrefix("crops/"), "relative link: \(src)")
            let crop = try ImageFile.read("\(dir)/report/\(src)")
            XCTAssertEqual(crop.width, 48, src)
        }
        // HR crops are the HR image's pixels at the window the row names.
        let cell = try XCTUnwrap(try page.nodes(forXPath: "//tr[td][1]/td[1]/small").first?.stringValue)
        XCTAssertEqual(cell, "crop 48² at (0, 0)")
        XCTAssertEqual(try ImageFile.read("\(dir)/report/\(sources[2])"), try ImageFile.read("\(dir)/photos/img3.png"))
        // The run folder's metrics.jsonl: loss, lr and validation PSNR (model and bicubic) as inline SVG.
        let charts = try page.nodes(forXPath: "//*[local-name()='svg']")
        XCTAssertEqual(charts.count, 3)
        let lines = try page.nodes(forXPath: "//*[local-name()='polyline']")
        XCTAssertEqual(lines.count, 4)
        let points = try page.nodes(forXPath: "//*[local-name()='polyline']/@points").compactMap(\.stringValue)
        XCTAssertEqual(points.map { $0.split(separator: " ").count }, [4, 4, 2, 2], "loss and lr at steps 5…20, validation at 10 and 20")
    }

    func testReportWithoutARunFolderHasNoCurves() throws {
        let imported = Executables.repositoryRoot().appendingPathComponent("Tests/Fixtures/checkpoint/edsr_b2f8_x2.h5").path
        let r = try srdist(["eval", "--checkpoint", imported, "--data", "\(dir)/photos", "--report", "\(dir)/plain", "--json", "--cache-dir", "\(dir)/cache"])
        XCTAssertEqual(r.status, 0, r.output)
        let page = try XMLDocument(contentsOf: URL(fileURLWithPath: "\(dir)/plain/index.html"), options: [])
        XCTAssertEqual(try page.nodes(forXPath: "//table[@class='images']/tr[td]").count, 3)
        XCTAssertEqual(try page.nodes(forXPath: "//*[local-name()='svg']").count, 0)
        XCTAssertTrue(try page.nodes(forXPath: "//p").contains { $0.stringValue?.hasPrefix("None: the checkpoint has no run folder") == true })
        let inside = try srdist(["eval", "--checkpoint", imported, "--data", "\(dir)/photos", "--report", "\(dir)/photos/r"])
        XCTAssertEqual(inside.status, 1)
        XCTAssertTrue(inside.output.hasPrefix("Error: \(dir)/photos/r: --report lies inside the data folder"), inside.output)
    }
}
