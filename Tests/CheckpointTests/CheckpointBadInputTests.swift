import Checkpoint
import Foundation
import Models
import XCTest

/// Every way a checkpoint path can be wrong is one clear line, never a crash, and
/// reading never modifies the file.
final class CheckpointBadInputTests: CheckpointTestCase {
    func testMissingFileAndFolder() {
        assertCheckpointError([file("nope.h5"), "no such checkpoint file"]) { _ = try CheckpointFile.read(path: file("nope.h5")) }
        assertCheckpointError([dir, "is a folder"]) { _ = try CheckpointFile.read(path: dir) }
    }

    func testEmptyAndNonHDF5Files() throws {
        XCTAssertTrue(FileManager.default.createFile(atPath: file("empty.h5"), contents: Data()))
        assertCheckpointError(["empty.h5", "the file is empty"]) { _ = try CheckpointFile.read(path: file("empty.h5")) }
        try Data("{\"model\": \"edsr\"}\n".utf8).write(to: URL(fileURLWithPath: file("config.json")))
        assertCheckpointError(["config.json", "not an HDF5 file"]) { _ = try CheckpointFile.read(path: file("config.json")) }
    }

    func testTruncatedFilesAtManyLengthsAreRefused() throws {
        try CheckpointFile.write(sample(), to: file("whole.h5"))
        let whole = try Data(contentsOf: URL(fileURLWithPath: file("whole.h5")))
        for fraction in [0.001, 0.01, 0.1, 0.3, 0.5, 0.9, 0.999] {
            let cut = file("cut.h5")
            try whole.prefix(Int(Double(whole.count) * fraction)).write(to: URL(fileURLWithPath: cut))
            assertCheckpointError(["cut.h5"]) { _ = try CheckpointFile.read(path: cut) }
        }
    }

    func testFileStillMarkedOpenForWriteIsRefusedAndLeftAlone() throws {
        let path = file("open.h5")
        try FileManager.default.copyItem(atPath: fixture("open_for_write.h5"), toPath: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(before[8], 3, "superblock v3 keeps status flags")
        XCTAssertEqual(before[11] & 1, 1, "the writer's open-for-write flag is set")
        assertCheckpointError(["open.h5", "still marked open for writing"]) { _ = try CheckpointFile.read(path: path) }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before, "nothing overwritten")
    }

    func testHDF5FileWithoutSrdistHeader() {
        assertCheckpointError(["not_srdist.h5", "not an srdist checkpoint", "'format'"]) {
            _ = try CheckpointFile.read(path: fixture("not_srdist.h5"))
        }
    }

    func testNewerFormatVersionIsRefusedWithAHint() {
        assertCheckpointError(["newer_version.h5", "version 2 is newer", "hint"]) {
            _ = try CheckpointFile.read(path: fixture("newer_version.h5"))
        }
    }

    func testCheckpointOfAnotherScaleOrModel() throws {
        let x4 = sample(scale: 4)
        let model = EDSR(EDSRConfig(scale: 2, blocks: 2, features: 8, resScale: 0.1), seed: 1)
        assertCheckpointError(["x4.h5", "edsr ×4", "edsr ×2", "init_from"]) {
            try x4.requireCompatible(model: "edsr", scales: [2], layout: model.layout, file: "x4.h5")
        }
        assertCheckpointError(["x2.h5", "mdsr"]) {
            try self.sample().requireCompatible(model: "mdsr", scales: [2, 3, 4], layout: model.layout, file: "x2.h5")
        }
    }

    func testMissingTensorWrongShapeAndExtraTensor() throws {
        let model = EDSR(EDSRConfig(scale: 2, blocks: 2, features: 8, resScale: 0.1), seed: 1)
        // The same model with one tensor dropped, one reshaped, one added.
        func variant(_ edit: (TensorView) -> (String, [Int])?) throws -> CheckpointContents {
            var layout = ParameterLayout()
            for v in model.layout.views { if let (n, s) = edit(v) { layout.add(n, s) } }
            var c = sample(optimizer: false)
            c.layout = layout
            c.params = [Float](repeating: 0.5, count: layout.count)
            try CheckpointFile.write(c, to: file("variant.h5"))
            return try CheckpointFile.read(path: file("variant.h5"))
        }
        let missing = try variant { $0.name == "body.1.body.2.bias" ? nil : ($0.name, $0.shape) }
        assertCheckpointError(["v.h5", "body.1.body.2.bias", "missing"]) {
            try missing.requireCompatible(model: "edsr", scales: [2], layout: model.layout, file: "v.h5")
        }
        let reshaped = try variant { $0.name == "head.0.weight" ? ($0.name, [8, 3, 1, 9]) : ($0.name, $0.shape) }
        assertCheckpointError(["v.h5", "head.0.weight", "[8, 3, 1, 9]", "[8, 3, 3, 3]"]) {
            try reshaped.requireCompatible(model: "edsr", scales: [2], layout: model.layout, file: "v.h5")
        }
        let extra = try variant { $0.name == "tail.1.bias" ? ("tail.2.bias", [3]) : ($0.name, $0.shape) }
        assertCheckpointError(["v.h5", "tail.1.bias", "missing"]) {
            try extra.requireCompatible(model: "edsr", scales: [2], layout: model.layout, file: "v.h5")
        }
        var more = sample(optimizer: false)
        more.layout.add("tail.2.weight", [1])
        more.params.append(1)
        assertCheckpointError(["v.h5", "tail.2.weight", "not part of"]) {
            try more.requireCompatible(model: "edsr", scales: [2], layout: model.layout, file: "v.h5")
        }
    }
}

/// Path of a committed fixture in Tests/Fixtures/checkpoint (made by
/// tools/reference/make_checkpoint_fixture.py).
func fixture(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/checkpoint/\(name)").path
}
