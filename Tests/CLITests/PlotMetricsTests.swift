import Foundation
import TestSupport
import XCTest

/// `tools/plot_metrics.py` on the metrics.jsonl of a real (tiny) run. Needs python3 with
/// matplotlib, which `launch/setup.sh` installs.
final class PlotMetricsTests: XCTestCase {
    var dir: URL!
    let root = Executables.repositoryRoot()
    var script: String { root.appendingPathComponent("tools/plot_metrics.py").path }

    override func setUpWithError() throws {
        let probe = try Executables.run("/usr/bin/env", ["python3", "-c", "import matplotlib"], timeout: 60)
        XCTAssertEqual(probe.status, 0, "python3 has no matplotlib: run launch/setup.sh, which installs it: \(probe.output)")
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("srdist-plot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { if let dir { try? FileManager.default.removeItem(at: dir) } }

    func testChartsFromARunsMetrics() throws {
        let run = dir.appendingPathComponent("run")
        let train = try Executables.run(Executables.srdist,
                                        ["--config", root.appendingPathComponent("configs/tiny_x2.json").path, "--quiet",
                                         "--set", "run_dir=\(run.path)", "--set", "train.steps=20",
                                         "--set", "train.log_every=5", "--set", "train.eval_every=10"],
                                        environment: ["OMP_NUM_THREADS": "1"])
        XCTAssertEqual(train.status, 0, train.output)
        // What a job killed and resumed leaves: a step logged twice and a cut-off line.
        let metrics = try FileHandle(forWritingTo: run.appendingPathComponent("metrics.jsonl"))
        try metrics.seekToEnd()
        metrics.write(Data("{\"event\":\"progress\",\"step\":20,\"loss\":9.5,\"lr\":0.0005}\n{\"event\":\"progr".utf8))
        try metrics.close()

        let out = dir.appendingPathComponent("plots")
        let r = try Executables.run("/usr/bin/env", ["python3", script, run.path, "--out", out.path], timeout: 60)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("wrote loss.png, lr.png, val_psnr.png to \(out.path) (4 progress, 2 validation records)"), r.output)
        for name in ["loss.png", "lr.png", "val_psnr.png"] {
            let data = try Data(contentsOf: out.appendingPathComponent(name))
            XCTAssertEqual(Array(data.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], name)
            XCTAssertGreaterThan(data.count, 5_000, name)
        }
    }

    func testFolderWithoutMetricsIsOneLine() throws {
        let r = try Executables.run("/usr/bin/env", ["python3", script, dir.path], timeout: 60)
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.output, "plot_metrics.py: \(dir.path)/metrics.jsonl: no such file (is \(dir.path) an srdist run folder?)\n")
    }
}
