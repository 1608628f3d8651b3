import Data
import Foundation
import TestSupport
import XCTest

/// `srdist export` of briefly trained EDSR ×2 and MDSR ×2/×3/×4 checkpoints, run by ONNX
/// Runtime (CPU) from the venv launch/setup.sh makes: on synthetic photos of odd sizes the
/// 8-bit outputs equal `srdist upscale`'s to within one level at every pixel, in both
/// input ranges, and onnx's checker (full_check, with shape inference) passes each file.
/// `srdist inspect` reads the files back and matches them to their checkpoints.
final class ONNXExportTests: ScratchFolderTestCase {
    override class var folderPrefix: String { "srdist-onnx" }

    /// ONNX Runtime's Python, from `SRDIST_ONNX_PYTHON` or the venv under .build.
    var python: String {
        ProcessInfo.processInfo.environment["SRDIST_ONNX_PYTHON"]
            ?? Executables.repositoryRoot().appendingPathComponent(".build/onnx-venv/bin/python").path
    }

    /// Non-square, and no side a multiple of 8, so the graph's shapes stay symbolic and
    /// no padding or tiling hides an edge case.
    static let photoSizes = [(width: 250, height: 361), (width: 201, height: 133), (width: 293, height: 195)]
    var photos: [String] = []

    override func setUpWithError() throws {
        try super.setUpWithError()
        photos = try Self.photoSizes.enumerated().map { i, size in
            let path = "\(dir.path)/photo\(i)_\(size.width)x\(size.height).png"
            try PNGFile.write(SyntheticImages.image(index: i, width: size.width, height: size.height, seed: 37), to: path)
            return path
        }
    }

    /// argv: model, input range, then (photo, srdist's upscaled PNG) pairs. Checks the
    /// model, runs it on each photo and prints {photo: [onnx shape, srdist shape, max |difference|]}
    /// after rounding and clamping to 8 bits as `srdist upscale` does.
    static let runner = """
    import json, sys
    import numpy as np, onnx, onnxruntime as ort
    from PIL import Image
    model, levels, pairs = sys.argv[1], 255 / float(sys.argv[2]), sys.argv[3:]
    onnx.checker.check_model(model, full_check=True)
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    report = {}
    for photo, upscaled in zip(pairs[::2], pairs[1::2]):
        x = np.asarray(Image.open(photo).convert("RGB"), dtype=np.float32).transpose(2, 0, 1)[None] / levels
        y = session.run(["output"], {"input": x})[0][0].transpose(1, 2, 0) * levels
        y = np.clip(np.round(y), 0, 255)
        sr = np.asarray(Image.open(upscaled).convert("RGB"), dtype=np.float32)
        report[photo] = [list(y.shape), list(sr.shape), float(np.abs(y - sr).max()) if y.shape == sr.shape else -1.0]
    print(json.dumps(report))
    """

    /// Trains `config` for a few steps (with an EMA, so export has both weight sets) into `dir/name`.
    func train(_ config: String, _ name: String) throws -> String {
        let run = "\(dir.path)/\(name)"
        let r = try Executables.run(Executables.srdist, [
            "--config", Executables.repositoryRoot().appendingPathComponent("configs/\(config).json").path, "--quiet",
            "--set", "run_dir=\(run)", "--set", "train.steps=6", "--set", "train.ema_decay=0.5",
        ], environment: ["OMP_NUM_THREADS": "2"])
        XCTAssertEqual(r.status, 0, r.output)
        return run
    }

    @discardableResult
    func srdist(_ args: [String]) throws -> String {
        let r = try Executables.run(Executables.srdist, args, environment: ["OMP_NUM_THREADS": "2"])
        XCTAssertEqual(r.status, 0, "srdist \(args.joined(separator: " ")): \(r.output)")
        return r.output
    }

    /// Upscales every photo with srdist at `scale`, then runs `model` on them with ONNX Runtime.
    func compare(_ model: String, range: Int, checkpoint: String, scale: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        var pairs: [String] = []
        for photo in photos {
            let name = URL(fileURLWithPath: photo).deletingPathExtension().lastPathComponent
            let out = "\(dir.path)/\(URL(fileURLWithPath: checkpoint).lastPathComponent)_\(name)_x\(scale).png"
            if !FileManager.default.fileExists(atPath: out) {
                try srdist(["upscale", photo, out, "--checkpoint", checkpoint, "--scale", String(scale)])
            }
            pairs += [photo, out]
        }
        let r = try Executables.run(python, ["-c", Self.runner, model, String(range)] + pairs, timeout: 600)
        XCTAssertEqual(r.status, 0, r.output, file: file, line: line)
        let json = r.output.split(separator: "\n").last.map(String.init) ?? ""
        let report = try XCTUnwrap(try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [Any]], r.output, file: file, line: line)
        XCTAssertEqual(report.count, photos.count, file: file, line: line)
        for (photo, entry) in report {
            XCTAssertEqual(entry[0] as? [Int], entry[1] as? [Int], "\(model) on \(photo): output shape", file: file, line: line)
            let diff = try XCTUnwrap(entry[2] as? Double, file: file, line: line)
            XCTAssertTrue((0...1).contains(diff), "\(model) on \(photo): max difference \(diff) levels", file: file, line: line)
        }
    }

    func testEDSRAndMDSRRunUnderONNXRuntimeAsSrdistUpscales() throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: python),
                      "\(python) is missing: run launch/setup.sh (it installs onnxruntime into .build/onnx-venv)")

        let edsr = try train("tiny_x2", "edsr")
        let exported = try srdist(["export", edsr, "\(dir.path)/edsr.onnx"])
        XCTAssertTrue(exported.contains("using its EMA weights"), exported)
        try srdist(["export", edsr, "\(dir.path)/edsr_unit.onnx", "--input-range", "1"])
        try compare("\(dir.path)/edsr.onnx", range: 255, checkpoint: edsr, scale: 2)
        try compare("\(dir.path)/edsr_unit.onnx", range: 1, checkpoint: edsr, scale: 2)

        let mdsr = try train("tiny_mdsr", "mdsr")
        let out = try srdist(["export", mdsr, "\(dir.path)/mdsr.onnx"])
        for scale in [2, 3, 4] {
            let file = "\(dir.path)/mdsr_x\(scale).onnx"
            XCTAssertTrue(out.contains("→ \(file) (MDSR ×\(scale)"), out)
            try compare(file, range: 255, checkpoint: mdsr, scale: scale)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir.path)/mdsr.onnx"), "MDSR without --scale: one file per scale")
    }

    func testInspectShowsTheGraphAndMatchesItsCheckpoint() throws {
        let mdsr = try train("tiny_mdsr", "mdsr")
        let file = "\(dir.path)/x3.onnx"
        try srdist(["export", mdsr, file, "--scale", "3", "--no-ema"])
        let text = try srdist(["inspect", file, "--against", mdsr])
        for expected in ["\(file): ONNX IR version 8, opset ai.onnx 17, from srdist", "  input   input float32 [1, 3, height, width]",
                         "  output  output float32 [1, 3, height_x3, width_x3]", "  nodes   ", "DepthToSpace 1",
                         "  srdist.weights: raw", "  srdist.scale: 3", "matches ", ": ×3, raw weights, "] {
            XCTAssertTrue(text.contains(expected), "lacks \"\(expected)\":\n\(text)")
        }
        // Without --no-ema the file says EMA, and is checked against the EMA weights.
        try srdist(["export", mdsr, "\(dir.path)/ema.onnx", "--scale", "3"])
        let fromEMA = try srdist(["inspect", "\(dir.path)/ema.onnx", "--against", mdsr])
        XCTAssertTrue(fromEMA.contains(": ×3, EMA weights, "), fromEMA)
        // Another network's checkpoint: one line, exit 1.
        let edsr = try train("tiny_x2", "edsr")
        let r = try Executables.run(Executables.srdist, ["inspect", file, "--against", edsr])
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.output.contains("\(file): ONNX IR version 8"), r.output)
        XCTAssertTrue(r.output.contains("Error: \(file): its 24 initializers are not the tensors of "), r.output)
        XCTAssertTrue(r.output.contains(" (edsr ×2) at any of its scales\n"), r.output)
    }
}
