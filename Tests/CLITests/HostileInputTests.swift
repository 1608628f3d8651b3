import Foundation
import TestSupport
import XCTest

/// Crafted files and absurd flags, as a user would meet them: each is refused with
/// exit status 1 and one line naming the file or flag, in bounded memory and time,
/// and leaves every file as it was.
final class HostileInputTests: XCTestCase {
    let fixture = Executables.repositoryRoot().appendingPathComponent("Tests/Fixtures/checkpoint/edsr_b2f8_x2.h5").path
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "srdist-hostile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// Runs srdist under a Python parent that reports the child's peak RSS, so the
    /// figure is this run's alone.
    func refused(_ args: [String], _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let probe = "import resource, subprocess, sys, time; t = time.time(); r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
            + "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.time() - t); print(r.stdout + r.stderr, end='')"
        let r = try Executables.run("/usr/bin/env", ["python3", "-c", probe, Executables.srdist] + args, timeout: 60)
        let lines = r.output.split(separator: "\n", omittingEmptySubsequences: false)
        let stats = lines[0].split(separator: " ")
        let (status, rssKB, seconds) = (Int(stats[0]) ?? -1, Int(stats[1]) ?? -1, Double(stats[2]) ?? -1)
        let output = lines.dropFirst().joined(separator: "\n")
        XCTAssertEqual(status, 1, output, file: file, line: line)
        XCTAssertEqual(output.split(separator: "\n").count, 1, "one line: \(output)", file: file, line: line)
        XCTAssertTrue(output.hasPrefix("Error: "), output, file: file, line: line)
        for f in fragments { XCTAssertTrue(output.contains(f), "\"\(output)\" lacks \"\(f)\"", file: file, line: line) }
        XCTAssertLessThan(rssKB, 500_000, "peak RSS \(rssKB) kB: \(args)", file: file, line: line)
        XCTAssertLessThan(seconds, 10, "took \(seconds) s: \(args)", file: file, line: line)
    }

    func contents(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    func testImageHeaderBombThroughUpscaleAndEval() throws {
        let bomb = "\(dir)/bomb.png"
        try CraftedPNG.write(to: bomb, width: 60_000, height: 60_000)
        try refused(["upscale", bomb, "\(dir)/out.png", "--checkpoint", fixture], [bomb, "60000×60000", "limit"])
        try refused(["upscale", bomb, "\(dir)/out.png", "--checkpoint", fixture, "--max-image-pixels", "9000000000"], [bomb, "cannot hold"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/out.png"))
        try FileManager.default.createDirectory(atPath: "\(dir)/set/HR", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: bomb, toPath: "\(dir)/set/HR/a.png")
        try refused(["eval", "--checkpoint", fixture, "--data", "\(dir)/set", "--cache-dir", "\(dir)/cache"], ["a.png", "limit"])
        // Training on a folder that holds it.
        let config = "\(dir)/folder.json"
        try Data(#"{"model": {"scale": 2, "blocks": 1, "features": 4}, "train": {"steps": 1, "patch_size": 8}, "run_dir": "\#(dir)/run", "data": {"kind": "folder", "root": "\#(dir)/set/HR", "data_range": "1-1/1-1", "cache_dir": "\#(dir)/cache"}}"#.utf8)
            .write(to: URL(fileURLWithPath: config))
        try refused(["--config", config, "--quiet"], ["a.png", "60000×60000", "data.max_image_pixels"])
    }

    func testOutputsNeverReplaceInputs() throws {
        let image = "\(dir)/in dir/a b.png"
        try FileManager.default.createDirectory(atPath: "\(dir)/in dir", withIntermediateDirectories: true)
        try CraftedPNG.write(to: image, width: 4, height: 4)
        let before = contents(image)
        try refused(["upscale", image, image, "--checkpoint", fixture], ["would overwrite the input"])
        try refused(["upscale", image, "\(dir)/in dir/../in dir/a b.png", "--checkpoint", fixture], ["would overwrite the input"])
        try refused(["upscale", "\(dir)/in dir", "\(dir)/in dir", "--checkpoint", fixture], ["lies inside the input folder"])
        try refused(["eval", "--checkpoint", fixture, "--data", "\(dir)/in dir", "--save", "\(dir)/in dir/out"], ["--save lies inside the data folder"])
        XCTAssertEqual(contents(image), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/in dir"), ["a b.png"])
    }

    /// `export` refuses a damaged checkpoint, a scale it lacks and an output that is its
    /// input (also through a link), and writes nothing.
    func testExportRefusesDamagedCheckpointsAndItsOwnInput() throws {
        let (truncated, crafted, copy) = ("\(dir)/truncated.h5", "\(dir)/crafted.h5", "\(dir)/ck.h5")
        let whole = try XCTUnwrap(contents(fixture))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: truncated))
        try Data("not a checkpoint\n".utf8).write(to: URL(fileURLWithPath: crafted))
        for bad in [truncated, crafted] { try refused(["export", bad, "\(dir)/out.onnx"], [bad]) }
        try FileManager.default.copyItem(atPath: fixture, toPath: copy)
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/link.onnx", withDestinationPath: copy)
        try refused(["export", copy, copy], ["would overwrite the input"])
        try refused(["export", copy, "\(dir)/link.onnx"], ["would overwrite the input"])
        try refused(["export", copy, "\(dir)/out.onnx", "--scale", "3"], [copy, "not ×3"])
        XCTAssertEqual(contents(copy), whole)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir)), ["truncated.h5", "crafted.h5", "ck.h5", "link.onnx"])
    }

    /// A cut-off or crafted .onnx file given to `inspect` is one line.
    func testDamagedONNXFilesAreOneLine() throws {
        let model = "\(dir)/m.onnx", cut = "\(dir)/cut.onnx", crafted = "\(dir)/crafted.onnx"
        let r = try Executables.run(Executables.srdist, ["export", fixture, model])
        XCTAssertEqual(r.status, 0, r.output)
        let whole = try XCTUnwrap(contents(model))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: cut))
        try refused(["inspect", cut], [cut, "not a well-formed ONNX model", "truncated"])
        try Data(repeating: 0xff, count: 64).write(to: URL(fileURLWithPath: crafted))
        try refused(["inspect", crafted], [crafted, "not a well-formed ONNX model", "varint"])
    }

    func testTileAndOverlapAreBounded() throws {
        let image = "\(dir)/a.png"
        try CraftedPNG.write(to: image, width: 4, height: 4)
        try refused(["upscale", image, "\(dir)/o.png", "--checkpoint", fixture, "--tile", "8", "--overlap", "4611686018427387904"],
                    ["--overlap must be between 0 and 512"])
        try refused(["upscale", image, "\(dir)/o.png", "--checkpoint", fixture, "--tile", "1000000"], ["--tile must be between 0 and 4096"])
    }

    /// A stored config asking for an enormous network is refused before it is built.
    func testStoredConfigIsBoundedBeforeTheNetworkIsBuilt() throws {
        let path = "\(dir)/big.h5"
        for (model, expected) in [(#"{"scale": 2, "features": 2000000000}"#, "model.features' must be at most 4096"),
                                  (#"{"scale": 2, "blocks": 100000}"#, "model.blocks' must be at most 1024"),
                                  (#"{"scale": 2, "blocks": 1000, "features": 4000}"#, "more than the limit")] {
            try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.copyItem(atPath: fixture, toPath: path)
            try CheckpointTamper(path).set("/", "config", string: #"{"model": \#(model)}"#)
            for verb in [["upscale", fixture, "\(dir)/o.png"], ["eval", "--data", "\(dir)/none"]] {
                try refused(verb + ["--checkpoint", path], [path, "stored config", expected])
            }
        }
    }

    func testHugeTensorIsRefusedInEveryVerb() throws {
        let path = "\(dir)/huge.h5"
        try FileManager.default.copyItem(atPath: fixture, toPath: path)
        try CheckpointTamper(path).declare("/params/head.0.weight", float32: [1 << 40])
        let before = contents(path)
        try refused(["inspect", path], [path, "/params/head.0.weight", "limit"])
        try refused(["inspect", path, "--max-parameters", "2000000000000"], [path, "/params/head.0.weight", "bytes stored"])
        try CraftedPNG.write(to: "\(dir)/a.png", width: 4, height: 4)
        try refused(["upscale", "\(dir)/a.png", "\(dir)/o.png", "--checkpoint", path], [path, "/params/head.0.weight"])
        XCTAssertEqual(contents(path), before)
    }

    func testNonFiniteCheckpointNeedsTheInspectFlag() throws {
        let path = "\(dir)/nan.h5"
        try FileManager.default.copyItem(atPath: fixture, toPath: path)
        try CheckpointTamper(path).poke("/params/tail.1.weight", .nan)
        try refused(["inspect", path], [path, "/params/tail.1.weight", "non-finite", "--allow-non-finite"])
        let r = try Executables.run(Executables.srdist, ["inspect", path, "--allow-non-finite"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertNotNil(r.output.range(of: #"tail\.1\.weight .*\(1 non-finite\)"#, options: .regularExpression), r.output)
    }

    /// Files on which libhdf5 1.10 itself crashes or loops (found by bench/fuzz.sh) are
    /// read in a child first: one line, in bounded time, in every verb.
    func testFilesThatCrashHDF5AreRefused() throws {
        let findings = Executables.repositoryRoot().appendingPathComponent("Tests/Fuzz/Findings/libhdf5").path
        let crash = "\(findings)/crash-10c99d78c1b8bb3fc5234cc0cfd05e3cbca699ee"
        try refused(["inspect", crash], [crash, "HDF5 crashed reading it"])
        try CraftedPNG.write(to: "\(dir)/a.png", width: 4, height: 4)
        try refused(["upscale", "\(dir)/a.png", "\(dir)/o.png", "--checkpoint", crash], [crash, "HDF5 crashed reading it"])
        let hang = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: findings).first { $0.hasPrefix("timeout-") })
        try refused(["inspect", "\(findings)/\(hang)"], [hang, "HDF5"])
        // Training reads what it resumes or initialises from the same way, on rank 0.
        let tiny = Executables.repositoryRoot().appendingPathComponent("configs/tiny_x2.json").path
        let train = ["--config", tiny, "--quiet", "--set", "train.steps=1"]
        try refused(train + ["--set", "run_dir=\(dir)/resumed", "--resume", crash], [crash, "HDF5 crashed reading it"])
        try refused(train + ["--set", "run_dir=\(dir)/initialised", "--set", "train.init_from=\(findings)/\(hang)"], [hang, "HDF5"])
    }

    /// `--resume auto` passes over a newest checkpoint on which HDF5 crashes (saying so)
    /// and resumes from the one before it.
    func testResumeAutoPassesOverAFileThatCrashesHDF5() throws {
        let tiny = Executables.repositoryRoot().appendingPathComponent("configs/tiny_x2.json").path
        let run = "\(dir)/run", args = ["--config", tiny, "--set", "run_dir=\(run)", "--set", "checkpoint.save_every=1"]
        let first = try Executables.run(Executables.srdist, args + ["--quiet", "--set", "train.steps=2"])
        XCTAssertEqual(first.status, 0, first.output)
        let crash = Executables.repositoryRoot().appendingPathComponent("Tests/Fuzz/Findings/libhdf5/crash-10c99d78c1b8bb3fc5234cc0cfd05e3cbca699ee").path
        try FileManager.default.copyItem(atPath: crash, toPath: "\(run)/checkpoints/step-000000003.h5")
        try Data("step-000000003.h5\n".utf8).write(to: URL(fileURLWithPath: "\(run)/checkpoints/latest"))
        let resumed = try Executables.run(Executables.srdist, args + ["--set", "train.steps=4", "--resume", "auto"])
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains("step-000000003.h5: HDF5 crashed reading it"), resumed.output)
        XCTAssertTrue(resumed.output.contains("resumed from \(run)/checkpoints/step-000000002.h5 at step 2"), resumed.output)
    }

    func testInspectOfAFolderWithoutCheckpoints() throws {
        try refused(["inspect", dir], [dir, "a folder without checkpoints"])
    }

    func testSymlinkedRunFilesAreRefusedAndTheirTargetsKept() throws {
        let tiny = Executables.repositoryRoot().appendingPathComponent("configs/tiny_x2.json").path
        for name in ["train.log", "metrics.jsonl", "config.json"] {
            let run = "\(dir)/run-\(name)", target = "\(dir)/elsewhere-\(name)"
            try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
            try Data("precious\n".utf8).write(to: URL(fileURLWithPath: target))
            try FileManager.default.createSymbolicLink(atPath: "\(run)/\(name)", withDestinationPath: target)
            try refused(["--config", tiny, "--quiet", "--set", "run_dir=\(run)", "--set", "train.steps=1"], ["\(run)/\(name)", "symbolic link"])
            XCTAssertEqual(contents(target), Data("precious\n".utf8))
        }
    }

    /// Counters from a tampered checkpoint are refused at resume; the run folder's
    /// checkpoints are left as they were.
    func testResumeRefusesImpossibleCounters() throws {
        let tiny = Executables.repositoryRoot().appendingPathComponent("configs/tiny_x2.json").path
        let run = "\(dir)/run", args = ["--config", tiny, "--quiet", "--set", "run_dir=\(dir)/run", "--set", "train.steps=2"]
        let first = try Executables.run(Executables.srdist, args)
        XCTAssertEqual(first.status, 0, first.output)
        let latest = "\(run)/checkpoints/step-000000002.h5"
        for (object, name, value, expected) in [("/", "step", -5, "attribute /step is -5"),
                                                ("/optim", "step.shared", Int64.max, "more than the checkpoint's step 2")] {
            let saved = "\(dir)/saved.h5"
            try? FileManager.default.removeItem(atPath: saved)
            try FileManager.default.copyItem(atPath: latest, toPath: saved)
            try CheckpointTamper(latest).set(object, name, int64: value)
            let before = contents(latest)
            try refused(args + ["--resume", "auto", "--set", "train.steps=4"], [latest, expected])
            XCTAssertEqual(contents(latest), before)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: "\(run)/checkpoints").filter { $0.hasPrefix("step-") },
                           ["step-000000002.h5"], "no checkpoint written")
            try FileManager.default.removeItem(atPath: latest)
            try FileManager.default.moveItem(atPath: saved, toPath: latest)
        }
    }
}
