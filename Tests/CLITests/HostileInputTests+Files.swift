import Data
import Foundation
import TestSupport
import XCTest

/// The file door through every verb: checkpoints that reach outside themselves, special
/// files where srdist reads or writes, outputs that are not regular files, numbers that
/// cannot become pixels, JSON corners and the flags' one-line errors.
extension HostileInputTests {
    var tiny: String { Executables.repositoryRoot().appendingPathComponent("configs/tiny_x2.json").path }

    /// A real `width × height` PNG (CraftedPNG writes headers only).
    func writeImage(_ path: String, width: Int = 16, height: Int = 16) throws {
        let pixels = (0..<(width * height * 3)).map { UInt8(truncatingIfNeeded: $0 * 37 &+ $0 / 7) }
        try PNGFile.write(RGBImage(width: width, height: height, pixels: pixels), to: path)
    }

    func copyOfFixture(_ name: String, _ edit: (CheckpointTamper) throws -> Void) throws -> String {
        let path = "\(dir)/\(name)"
        try FileManager.default.copyItem(atPath: fixture, toPath: path)
        try edit(try CheckpointTamper(path))
        return path
    }

    /// A checkpoint whose tensor is another file's bytes (external storage) or another
    /// file's tensor (external link) is refused by every verb that reads checkpoints, and
    /// `export` writes nothing — a crafted file never turns into a model holding the
    /// machine's files.
    func testCheckpointDataOutsideTheFileIsRefusedInEveryVerb() throws {
        let secret = "\(dir)/secret"
        try Data(repeating: 0x41, count: 8 * 3 * 3 * 3 * 4).write(to: URL(fileURLWithPath: secret))
        let stored = try copyOfFixture("stored.h5") { try $0.storeExternally("/params/head.0.weight", float32: [8, 3, 3, 3], in: secret) }
        let linked = try copyOfFixture("linked.h5") { try $0.linkExternally("/params/head.0.weight", to: self.fixture, object: "/params/head.0.weight") }
        try writeImage("\(dir)/a.png")
        for (path, why) in [(stored, "keeps its data in external files"), (linked, "external link to another file")] {
            try refused(["inspect", path], [path, why])
            try refused(["export", path, "\(dir)/out.onnx"], [path, why])
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/out.onnx"))
            try refused(["upscale", "\(dir)/a.png", "\(dir)/o.png", "--checkpoint", path], [path, why])
            try refused(["eval", "--checkpoint", path, "--data", "\(dir)/none"], [path, why])
            let train = ["--config", tiny, "--quiet", "--set", "train.steps=1", "--set", "model.blocks=2", "--set", "model.features=8"]
            try refused(train + ["--set", "run_dir=\(dir)/r-\(UUID().uuidString)", "--resume", path], [path, why])
            try refused(train + ["--set", "run_dir=\(dir)/i-\(UUID().uuidString)", "--set", "train.init_from=\(path)"], [path, why])
        }
    }

    /// A FIFO (or a device) where srdist expects a file is refused at once by every
    /// reader: checkpoint, config, image, and a step file `--resume auto` meets.
    func testSpecialFilesAreRefusedAtOnce() throws {
        let fifo = "\(dir)/fifo"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        try writeImage("\(dir)/a.png")
        try refused(["inspect", fifo], [fifo, "named pipe"])
        try refused(["export", fifo, "\(dir)/o.onnx"], [fifo, "named pipe"])
        try refused(["upscale", "\(dir)/a.png", "\(dir)/o.png", "--checkpoint", fifo], [fifo, "named pipe"])
        try refused(["upscale", fifo, "\(dir)/o.png", "--checkpoint", fixture], [fifo, "named pipe"])
        try refused(["--config", fifo], [fifo, "named pipe"])
        try refused(["--config", tiny, "--quiet", "--set", "run_dir=\(dir)/r", "--resume", fifo], [fifo, "named pipe"])
        try refused(["--config", tiny, "--quiet", "--set", "run_dir=\(dir)/i", "--set", "train.init_from=/dev/zero"], ["/dev/zero", "character device"])
        // A FIFO named like the newest step file: `--resume auto` refuses it before
        // training (a save under that name would fail after the work was done).
        let run = "\(dir)/run", args = ["--config", tiny, "--quiet", "--set", "run_dir=\(run)", "--set", "checkpoint.save_every=1"]
        XCTAssertEqual(try Executables.run(Executables.srdist, args + ["--set", "train.steps=2"]).status, 0)
        let step3 = "\(run)/checkpoints/step-000000003.h5"
        XCTAssertEqual(mkfifo(step3, 0o600), 0)
        try refused(args + ["--set", "train.steps=3", "--resume", "auto"], [step3, "named pipe (FIFO), not a checkpoint file", "remove it"])
    }

    /// An output path holding a FIFO or a link is never replaced: `export` and `upscale`
    /// refuse it and leave it as it was.
    func testOutputsThatAreNotRegularFilesAreKept() throws {
        try writeImage("\(dir)/a.png")
        let fifo = "\(dir)/out.fifo", link = "\(dir)/out.link", target = "\(dir)/precious"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        for output in [fifo, link] {
            try refused(["export", fixture, output], [output, "replaces only regular files"])
            try refused(["upscale", "\(dir)/a.png", output, "--checkpoint", fixture], [output, "replaces only regular files"])
        }
        var info = stat()
        XCTAssertEqual(lstat(fifo, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFIFO, "the FIFO is still a FIFO")
        XCTAssertEqual(lstat(link, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFLNK, "the link is still a link")
        XCTAssertEqual(contents(target), Data("precious\n".utf8))
    }

    /// Finite weights so large that the output is NaN: `upscale` and `eval` say so in
    /// one line, and a run's validation reports its failure instead of crashing.
    func testNonFiniteOutputIsOneLine() throws {
        let huge = try copyOfFixture("huge.h5") { try $0.poke("/params/head.0.weight", 3e38) }
        let set = "\(dir)/set/HR"
        try FileManager.default.createDirectory(atPath: set, withIntermediateDirectories: true)
        try writeImage("\(set)/a.png")
        try refused(["upscale", "\(set)/a.png", "\(dir)/o.png", "--checkpoint", huge], ["\(set)/a.png", "no pixel value"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/o.png"))
        try refused(["eval", "--checkpoint", huge, "--data", set, "--cache-dir", "\(dir)/cache"], ["a ×2", "no pixel value"])
        let r = try Executables.run(Executables.srdist, ["--config", tiny, "--set", "run_dir=\(dir)/run", "--set", "train.steps=1",
                                                         "--set", "model.blocks=2", "--set", "model.features=8",
                                                         "--set", "train.init_from=\(huge)"], timeout: 120)
        XCTAssertTrue(r.output.contains("validation of step 0 failed:"), r.output)
        XCTAssertTrue(r.output.contains("no pixel value"), r.output)
        XCTAssertTrue(r.status == 0 || r.status == 1, "an exit, not a crash: \(r.status)\n\(r.output)")
    }

    /// Run-folder files that are not what srdist writes there are refused before any
    /// training, naming the right path: a linked lock, a folder where `latest` belongs,
    /// a file where `checkpoints/` belongs, a FIFO as the log.
    func testRunFolderFilesThatAreNotRegularAreRefusedBeforeTraining() throws {
        let train = ["--config", tiny, "--quiet", "--set", "train.steps=1"]
        let locked = "\(dir)/locked", outside = "\(dir)/outside-lock"
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
        try Data("keep\n".utf8).write(to: URL(fileURLWithPath: outside))
        try FileManager.default.createSymbolicLink(atPath: "\(locked)/srdist.lock", withDestinationPath: outside)
        try refused(train + ["--set", "run_dir=\(locked)"], ["\(locked)/srdist.lock", "symbolic link"])
        XCTAssertEqual(contents(outside), Data("keep\n".utf8))

        let pointed = "\(dir)/pointed"
        try FileManager.default.createDirectory(atPath: "\(pointed)/checkpoints/latest", withIntermediateDirectories: true)
        try refused(train + ["--set", "run_dir=\(pointed)", "--resume", "auto"], ["\(pointed)/checkpoints/latest", "is a folder", "remove it"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(pointed)/metrics.jsonl"), "refused before training")

        let flat = "\(dir)/flat"
        try FileManager.default.createDirectory(atPath: flat, withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: "\(flat)/checkpoints"))
        try refused(train + ["--set", "run_dir=\(flat)"], ["\(flat)/checkpoints: is a regular file, not a folder"])

        let piped = "\(dir)/piped"
        try FileManager.default.createDirectory(atPath: piped, withIntermediateDirectories: true)
        XCTAssertEqual(mkfifo("\(piped)/train.log", 0o600), 0)
        try refused(train + ["--set", "run_dir=\(piped)"], ["\(piped)/train.log", "named pipe"])
    }

    /// JSON the parser would take silently, or report without a place, is one line
    /// with the line and column; flags' bad values are one line and exit 1.
    func testJSONCornersAndFlagValuesAreOneLine() throws {
        let cases: [(String, [String])] = [
            (#"{"train": {"steps": 2, "steps": 4}}"#, ["key 'train.steps' is given twice", "line 1, column 24"]),
            ("{\"train\": {\"steps\": 2},\n \"train\": {\"steps\": 4}}", ["key 'train' is given twice", "line 2, column 2"]),
            (#"{"train": {"steps": 1e400}}"#, ["1e400", "beyond the range of a double"]),
            (#"{"train": {"steps": 2, "seed": 9007199254740993}}"#, ["9007199254740993", "larger than 2^53"]),
            (#"{"name": "\#(String(repeating: "n", count: 300))", "train": {"steps": 2}}"#, ["key 'name' must be 1 to 255 bytes long"]),
        ]
        for (i, (text, fragments)) in cases.enumerated() {
            let path = "\(dir)/c\(i).json"
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            try refused(["--config", path, "--set", "run_dir=\(dir)/run\(i)"], [path] + fragments)
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/run\(i)"))
        }
        let big = "\(dir)/big.json"
        try Data(#"{"name": "\#(String(repeating: "n", count: 3 << 20))"}"#.utf8).write(to: URL(fileURLWithPath: big))
        try refused(["--config", big], [big, "more than the 1048576"])
        try refused(["--config", tiny, "--log-format", "xml"], ["'xml' is invalid for '--log-format"])
        try refused(["--config", tiny, "--resume", ""], ["--resume is empty"])
        try refused(["--config", tiny, "--set", "train.seed=9007199254740993"], ["--set train.seed=9007199254740993", "larger than 2^53"])
    }

    /// `--resume` takes what every verb takes: a run folder, or a `latest`/`best` pointer.
    func testResumeTakesRunFoldersAndPointers() throws {
        let first = "\(dir)/first"
        let args = ["--config", tiny, "--set", "checkpoint.save_every=1"]
        XCTAssertEqual(try Executables.run(Executables.srdist, args + ["--quiet", "--set", "run_dir=\(first)", "--set", "train.steps=2"]).status, 0)
        for (i, reference) in [first, "\(first)/checkpoints/latest", "\(first)/checkpoints"].enumerated() {
            let r = try Executables.run(Executables.srdist, args + ["--set", "run_dir=\(dir)/next\(i)", "--set", "train.steps=3", "--resume", reference])
            XCTAssertEqual(r.status, 0, r.output)
            XCTAssertTrue(r.output.contains("resumed from \(first)/checkpoints/step-000000002.h5 at step 2"), "\(reference): \(r.output)")
        }
    }
}
