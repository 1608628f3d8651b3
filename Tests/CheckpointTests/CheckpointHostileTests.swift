import Checkpoint
import Foundation
import Models
import TestSupport
import XCTest

/// Crafted checkpoints: sizes, counters and values that a damaged or hostile file
/// claims are checked before anything is allocated or trusted, one line each.
final class CheckpointHostileTests: CheckpointTestCase {
    /// A valid checkpoint edited by `edit`; returns its path.
    func tampered(_ edit: (CheckpointTamper) throws -> Void) throws -> String {
        let path = file("t.h5")
        try? FileManager.default.removeItem(atPath: path)
        try CheckpointFile.write(sample(), to: path)
        try edit(try CheckpointTamper(path))
        return path
    }

    func testHugeAndOverflowingShapesAreRefusedBeforeAllocating() throws {
        let huge = try tampered { try $0.declare("/params/head.0.weight", float32: [1 << 20, 1 << 20]) }
        assertCheckpointError(["t.h5", "/params/head.0.weight", "limit of 268435456", "--max-parameters"]) {
            _ = try CheckpointFile.read(path: huge)
        }
        let overflow = try tampered { try $0.declare("/params/head.0.weight", float32: [1 << 40, 1 << 40, 1 << 40]) }
        assertCheckpointError(["t.h5", "/params/head.0.weight", "limit"]) { _ = try CheckpointFile.read(path: overflow) }
        // Within the limit but never written: HDF5 would hand back fill values.
        let unwritten = try tampered { try $0.declare("/params/head.0.weight", float32: [1 << 26]) }
        assertCheckpointError(["t.h5", "/params/head.0.weight", "bytes stored"]) { _ = try CheckpointFile.read(path: unwritten) }
        // The total counts too, and the limit can be lowered (and raised).
        let path = try tampered { _ = $0 }
        assertCheckpointError(["t.h5", "limit of 100"]) {
            _ = try CheckpointFile.read(path: path, limits: CheckpointLimits(maxParameters: 100))
        }
    }

    /// The model the caller will build is compared with the tensor list before any
    /// tensor data is read: a shape mismatch never allocates the file's claim.
    func testTensorListIsComparedWithTheModelBeforeReading() throws {
        let model = EDSR(EDSRConfig(scale: 2, blocks: 2, features: 8, resScale: 0.1), seed: 1)
        let expected = CheckpointExpectation(model: "edsr", scales: [2], layout: model.layout)
        let path = try tampered {
            try $0.declare("/params/head.0.weight", float32: [8, 3, 9, 1])
            try $0.poke("/params/head.0.weight", 1)
        }
        var asked = false
        assertCheckpointError(["t.h5", "/params/head.0.weight", "has shape [8, 3, 9, 1]", "[8, 3, 3, 3]"]) {
            _ = try CheckpointFile.read(path: path) { json in
                asked = true
                XCTAssertTrue(json.contains("tést"), "the expectation sees the stored config")
                return expected
            }
        }
        XCTAssertTrue(asked)
        let mdsr = try tampered { _ = $0 }
        assertCheckpointError(["t.h5", "edsr ×2", "mdsr"]) {
            _ = try CheckpointFile.read(path: mdsr) { _ in CheckpointExpectation(model: "mdsr", scales: [2], layout: model.layout) }
        }
    }

    /// A checkpoint reads only its own bytes: external storage, external and soft links,
    /// and filters of unbounded output (gzip) are refused before any data is read — a
    /// crafted file never loads another file of the machine as weights.
    func testDataOutsideTheFileAndUnboundedFiltersAreRefused() throws {
        let secret = file("secret.bin")
        FileManager.default.createFile(atPath: secret, contents: Data(repeating: 0x41, count: 8 * 3 * 3 * 3 * 4))
        let outside = file("outside.h5")
        try? FileManager.default.removeItem(atPath: outside)
        try CheckpointFile.write(sample(), to: outside)
        let cases: [(String, (CheckpointTamper) throws -> Void)] = [
            ("keeps its data in external files", { try $0.storeExternally("/params/head.0.weight", float32: [8, 3, 3, 3], in: secret) }),
            ("external link to another file", { try $0.linkExternally("/params/head.0.weight", to: outside, object: "/params/head.0.weight") }),
            ("external link to another file", { try $0.linkExternally("/optim", to: outside, object: "/optim") }),
            ("soft link", { try $0.linkSoftly("/params/head.0.weight", to: "/params/head.0.bias") }),
            ("filter 1 (deflate)", { try $0.compress("/params/head.0.weight", float32: [8, 3, 3, 3]) }),
        ]
        for (message, edit) in cases {
            let path = try tampered(edit)
            assertCheckpointError(["t.h5", message]) { _ = try CheckpointFile.read(path: path) }
        }
    }

    /// Special files in place of a checkpoint are refused at once, never opened blocking.
    func testSpecialFilesAreRefusedWithoutBlocking() throws {
        let fifo = file("fifo.h5")
        unlink(fifo)
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let started = Date()
        assertCheckpointError(["fifo.h5", "named pipe (FIFO)"]) { _ = try CheckpointFile.read(path: fifo) }
        assertCheckpointError(["/dev/zero", "character device"]) { _ = try CheckpointFile.read(path: "/dev/zero") }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "refused without waiting for a writer")
    }

    func testCountersMustBeInRangeAndConsistent() throws {
        let cases: [(String, (CheckpointTamper) throws -> Void)] = [
            ("attribute /step is -5, must not be negative", { try $0.set("/", "step", int64: -5) }),
            ("attribute /step is 9223372036854775807, more than", { try $0.set("/", "step", int64: .max) }),
            ("attribute 'step' holds 18446744073709551615, too large", { try $0.set("/", "step", uint64: .max) }),
            ("attribute /optim/step.shared is 9223372036854775807, more than the checkpoint's step 1234",
             { try $0.set("/optim", "step.shared", int64: .max) }),
            ("attribute /optim/step.x2 is -1", { try $0.set("/optim", "step.x2", int64: -1) }),
            ("attribute /state/data_step is 7, the checkpoint's step is 1234", { try $0.set("/state", "data_step", int64: 7) }),
            ("attribute /state/skipped_steps is 5000, more than the checkpoint's step", { try $0.set("/state", "skipped_steps", int64: 5000) }),
            ("attribute /state/best_psnr is nan", { try $0.set("/state", "best_psnr", double: .nan) }),
            ("attribute /world_size is 0", { try $0.set("/", "world_size", int64: 0) }),
            ("attribute /model is \"srcnn\"", { try $0.set("/", "model", string: "srcnn") }),
            ("attribute /optim/lr is inf", { try $0.set("/optim", "lr", double: .infinity) }),
        ]
        for (message, edit) in cases {
            let path = try tampered(edit)
            assertCheckpointError(["t.h5", message]) { _ = try CheckpointFile.read(path: path) }
        }
    }

    func testNonFiniteTensorsAreRefusedByNameUnlessAllowed() throws {
        for (tensor, value) in [("/params/tail.1.bias", Float.nan), ("/optim/v/head.0.weight", Float.infinity)] {
            let path = try tampered { try $0.poke(tensor, value) }
            assertCheckpointError(["t.h5", "tensor \(tensor)", "non-finite", "--allow-non-finite"]) {
                _ = try CheckpointFile.read(path: path)
            }
            let allowed = try CheckpointFile.read(path: path, limits: CheckpointLimits(allowNonFinite: true))
            XCTAssertEqual(allowed.layout, sample().layout)
        }
    }

    /// `latest` and `best` name files of their own folder; anything else is ignored
    /// like a missing pointer (latest then falls back to the highest step).
    func testPointersNeverLeaveTheirFolder() throws {
        let store = CheckpointStore(directory: file("run"), keepLast: 3)
        try store.save(sample(step: 5), score: 30)
        try CheckpointFile.write(sample(step: 9), to: file("step-000000009.h5"))
        try "../step-000000009.h5\n".write(toFile: file("run/latest"), atomically: true, encoding: .utf8)
        try "../step-000000009.h5 99\n".write(toFile: file("run/best"), atomically: true, encoding: .utf8)
        XCTAssertEqual(store.latest(), file("run/step-000000005.h5"))
        XCTAssertEqual(try CheckpointStore.locate(file("run/latest")), file("run/step-000000005.h5"))
        XCTAssertNil(store.best())
        assertCheckpointError([file("run/best"), "names no existing checkpoint"]) { _ = try CheckpointStore.locate(self.file("run/best")) }
    }

    /// The fuzzer's first finding: a metadata size of 4.5 PB makes HDF5's cache ask
    /// malloc for it; the failed allocation must surface as one line.
    func testFuzzFindingMetadataSizeIsOneLine() {
        assertCheckpointError(["fuzz_metadata_size.h5", "cannot open it as HDF5"]) {
            _ = try CheckpointFile.read(path: fixture("fuzz_metadata_size.h5"))
        }
    }

    /// The second: a damaged string's length in the global heap crashed HDF5 (SIGSEGV in
    /// H5HG_read); the heap is now checked before HDF5 reads it.
    func testFuzzFindingHeapObjectSizeIsOneLine() {
        assertCheckpointError(["fuzz_heap_object_size.h5", "object 3 of the global heap at byte 2048 claims 281474976120834 bytes"]) {
            _ = try CheckpointFile.read(path: fixture("fuzz_heap_object_size.h5"))
        }
    }

    /// Reading refuses without touching the file.
    func testRefusalLeavesTheFileAsItWas() throws {
        let path = try tampered { try $0.set("/", "step", int64: -5) }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        assertCheckpointError(["t.h5"]) { _ = try CheckpointFile.read(path: path) }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
    }
}
