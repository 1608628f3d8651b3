import Foundation
import TestSupport
import XCTest

/// The TensorBoard events srdist writes, read back by TensorBoard's own reader
/// (`EventAccumulator`, from the venv launch/setup.sh makes): every progress and
/// validation number of metrics.jsonl is there under its tag and step, the validation
/// crops are PNG images, and a resumed run adds a second events file that continues
/// the curves.
final class TensorBoardTests: ScratchFolderTestCase {
    override class var folderPrefix: String { "srdist-tb" }

    /// TensorBoard's Python, from `SRDIST_TENSORBOARD_PYTHON` or the venv under .build.
    var python: String {
        ProcessInfo.processInfo.environment["SRDIST_TENSORBOARD_PYTHON"]
            ?? Executables.repositoryRoot().appendingPathComponent(".build/tensorboard-venv/bin/python").path
    }

    /// Prints {"scalars": {tag: [[step, value], …]}, "images": {tag: [[step, w, h, png?], …]}, "files": n}.
    static let reader = """
    import glob, json, sys
    from tensorboard.backend.event_processing import event_accumulator as ea
    acc = ea.EventAccumulator(sys.argv[1], size_guidance={ea.SCALARS: 0, ea.IMAGES: 0})
    acc.Reload()
    tags = acc.Tags()
    print(json.dumps({
        "scalars": {t: [[e.step, e.value] for e in acc.Scalars(t)] for t in tags["scalars"]},
        "images": {t: [[e.step, e.width, e.height, e.encoded_image_string[:8] == b"\\x89PNG\\r\\n\\x1a\\n"] for e in acc.Images(t)] for t in tags["images"]},
        "files": len(glob.glob(sys.argv[1] + "/events.out.tfevents.*")),
    }))
    """

    override class var runSettings: [String] { ["train.log_every=5", "train.eval_every=10", "train.ema_decay=0.9", "train.grad_clip=30"] }

    func testEventsMatchMetricsAndAppendAcrossResume() throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: python),
                      "\(python) is missing: run launch/setup.sh (it installs tensorboard into .build/tensorboard-venv)")
        try trainSucceeds("run", steps: 20)
        try trainSucceeds("run", steps: 30, ["--resume", "auto"])
        let r = try Executables.run(python, ["-c", Self.reader, "\(dir.path)/run/tensorboard"])
        XCTAssertEqual(r.status, 0, r.output)
        let doc = try JSONSerialization.jsonObject(with: Data(r.output.split(separator: "\n").last.map(String.init)?.utf8 ?? "".utf8)) as! [String: Any]
        XCTAssertEqual(doc["files"] as? Int, 2, "one events file per process start")
        let scalars = doc["scalars"] as! [String: [[Double]]]

        // Every number of every progress and validation record, at its step.
        var expected: [String: [Int: Double]] = [:]
        for line in try String(contentsOfFile: "\(dir.path)/run/metrics.jsonl", encoding: .utf8).split(separator: "\n") {
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            guard let prefix = ["progress": "train", "validation": "validation"][o["event"] as! String] else { continue }
            for (key, value) in o where !["step", "steps", "eta_seconds", "event", "time"].contains(key) {
                if let x = value as? Double { expected["\(prefix)/\(key)", default: [:]][o["step"] as! Int] = x }
            }
        }
        let required = ["train/loss", "train/lr", "train/patches_per_second", "train/data_wait", "train/comm_exposed", "train/grad_norm",
                        "validation/psnr", "validation/ssim", "validation/psnr_x2", "validation/ssim_x2"]
        for tag in required { XCTAssertNotNil(expected[tag], "metrics.jsonl lacks \(tag)") }
        XCTAssertEqual(Set(scalars.keys), Set(expected.keys))
        XCTAssertEqual(expected["train/loss"]?.keys.sorted(), [5, 10, 15, 20, 25, 30])
        XCTAssertEqual(expected["validation/psnr"]?.keys.sorted(), [10, 20, 30])
        for (tag, byStep) in expected {
            let events = scalars[tag] ?? []
            XCTAssertEqual(events.map { Int($0[0]) }, byStep.keys.sorted(), tag)
            // float32 in the events (TensorBoard's simple_value); metrics.jsonl's text holds the Double.
            for e in events { XCTAssertEqual(Float(e[1]), Float(byStep[Int(e[0])]!), tag) }
        }

        let images = doc["images"] as! [String: [[Any]]]
        let crops = try XCTUnwrap(images["validation/x2 bicubic | model | HR"], "\(images.keys)")
        XCTAssertEqual(crops.map { $0[0] as? Int }, [10, 20, 30])
        for c in crops {
            XCTAssertEqual(c[1] as? Int, 3 * 64, "three 64-pixel panels side by side")
            XCTAssertEqual(c[2] as? Int, 64)
            XCTAssertEqual(c[3] as? Bool, true, "PNG-encoded")
        }
    }
}
