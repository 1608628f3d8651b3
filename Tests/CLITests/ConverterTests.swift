import Checkpoint
import Foundation
import TestSupport
import XCTest

/// tools/pt_to_srdist.py and tools/srdist_to_pt.py on the committed EDSR and MDSR
/// state_dicts (Tests/Fixtures/state_dict, weights torch made; .npz so the suite needs
/// numpy and h5py, which launch/setup.sh installs, not torch).
final class ConverterTests: XCTestCase {
    let root = Executables.repositoryRoot()
    var dir = ""

    override func setUpWithError() throws {
        let probe = try Executables.run("/usr/bin/env", ["python3", "-c", "import numpy, h5py"], timeout: 60)
        XCTAssertEqual(probe.status, 0, "python3 needs numpy and h5py (launch/setup.sh installs them): \(probe.output)")
        dir = NSTemporaryDirectory() + "srdist-convert-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func fixture(_ name: String) -> String { root.appendingPathComponent("Tests/Fixtures/state_dict/\(name)").path }

    func tool(_ script: String, _ args: [String]) throws -> (status: Int32, output: String) {
        try Executables.run("/usr/bin/env", ["python3", root.appendingPathComponent("tools/\(script)").path] + args, timeout: 120)
    }

    func python(_ code: String, _ args: [String] = []) throws -> (status: Int32, output: String) {
        try Executables.run("/usr/bin/env", ["python3", "-c", code] + args, timeout: 120)
    }

    /// Whether two .npz state_dicts hold the same names in the same order with the same dtypes, shapes and bytes.
    func identical(_ a: String, _ b: String) throws -> Bool {
        let r = try python("""
            import sys, numpy as np
            x, y = np.load(sys.argv[1]), np.load(sys.argv[2])
            same = x.files == y.files and all(x[k].dtype == y[k].dtype and x[k].shape == y[k].shape and x[k].tobytes() == y[k].tobytes() for k in x.files)
            print("identical" if same else "different", len(x.files))
            """, [a, b])
        XCTAssertEqual(r.status, 0, r.output)
        return r.output.hasPrefix("identical ")
    }

    func testEDSRRoundTripIsBitExact() throws {
        let imported = try tool("pt_to_srdist.py", [fixture("edsr_b2f8_x2.npz"), "\(dir)/x2.h5", "--res-scale", "1"])
        XCTAssertEqual(imported.status, 0, imported.output)
        XCTAssertTrue(imported.output.contains("EDSR B2 F8 x2, res_scale 1, 16 tensors, 5699 parameters; dropped sub_mean.weight"), imported.output)
        // srdist reads every tensor as torch made it (the values of the JSON fixture).
        struct Expected: Decodable { struct T: Decodable { let name: String; let shape: [Int]; let values: [Double] }; let tensors: [T] }
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: root.appendingPathComponent("Tests/Fixtures/checkpoint/edsr_b2f8_x2.json")))
        let c = try CheckpointFile.read(path: "\(dir)/x2.h5")
        XCTAssertEqual(c.model, "edsr")
        XCTAssertEqual(c.scales, [2])
        XCTAssertEqual(c.stage, "imported")
        XCTAssertEqual(c.layout.views.map(\.name), expected.tensors.map(\.name))
        for t in expected.tensors {
            let v = try XCTUnwrap(c.layout.view(named: t.name))
            XCTAssertEqual(v.shape, t.shape, t.name)
            XCTAssertEqual(Array(c.params[v.range]), t.values.map { Float($0) }, t.name)
        }
        let back = try tool("srdist_to_pt.py", ["\(dir)/x2.h5", "\(dir)/back.npz"])
        XCTAssertEqual(back.status, 0, back.output)
        XCTAssertTrue(try identical(fixture("edsr_b2f8_x2.npz"), "\(dir)/back.npz"), "EDSR .npz → .h5 → .npz changed a tensor or the order")
    }

    func testMDSRRoundTripIsBitExact() throws {
        let imported = try tool("pt_to_srdist.py", [fixture("mdsr_b2f8.npz"), "\(dir)/mdsr.h5"])
        XCTAssertEqual(imported.status, 0, imported.output)
        XCTAssertTrue(imported.output.contains("MDSR B2 F8 x2/x3/x4, res_scale 1, 46 tensors, 34923 parameters"), imported.output)
        // The tensors of the module built as mdsr.py (ModelsTests' fixture), in srdist's MDSR layout.
        struct Reference: Decodable { let order: [String]; let params: [String: ReferenceTensor] }
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: root.appendingPathComponent("Tests/ModelsTests/Fixtures/mdsr_tiny.json")))
        let c = try CheckpointFile.read(path: "\(dir)/mdsr.h5")
        XCTAssertEqual(c.model, "mdsr")
        XCTAssertEqual(c.scales, [2, 3, 4])
        XCTAssertEqual(c.layout.views.map(\.name), reference.order)
        for name in reference.order {
            let v = try XCTUnwrap(c.layout.view(named: name))
            XCTAssertEqual(Array(c.params[v.range]), reference.params[name]?.values, name)
        }
        // srdist serves every scale of it.
        let photos = "\(dir)/photos"
        XCTAssertEqual(try srdist(["demo-data", photos, "--count", "1", "--size", "48"]).status, 0)
        let eval = try srdist(["eval", "--checkpoint", "\(dir)/mdsr.h5", "--data", photos])
        XCTAssertEqual(eval.status, 0, eval.output)
        XCTAssertEqual(eval.output.components(separatedBy: "\nmean ").count, 4, "a table per scale: \(eval.output)")

        let back = try tool("srdist_to_pt.py", ["\(dir)/mdsr.h5", "\(dir)/back.npz"])
        XCTAssertEqual(back.status, 0, back.output)
        XCTAssertTrue(back.output.contains("MDSR B2 F8 x2/x3/x4, 50 entries (with sub_mean/add_mean)"), back.output)
        XCTAssertTrue(try identical(fixture("mdsr_b2f8.npz"), "\(dir)/back.npz"), "MDSR .npz → .h5 → .npz changed a tensor or the order")
    }

    /// A state_dict cannot tell EDSR's residual scaling: the import refuses rather than guess.
    func testEDSRImportRequiresResScale() throws {
        let r = try tool("pt_to_srdist.py", [fixture("edsr_b2f8_x2.npz"), "\(dir)/x2.h5"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.output.split(separator: "\n").count, 1, r.output)
        XCTAssertTrue(r.output.hasPrefix("error: \(fixture("edsr_b2f8_x2.npz")): --res-scale is required"), r.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/x2.h5"))
        // A tensor short: listed, refused.
        let cut = try python("""
            import sys, numpy as np
            z = dict(np.load(sys.argv[1])); del z["body.1.body.2.bias"]; np.savez(sys.argv[2], **z)
            """, [fixture("edsr_b2f8_x2.npz"), "\(dir)/cut.npz"])
        XCTAssertEqual(cut.status, 0, cut.output)
        let missing = try tool("pt_to_srdist.py", ["\(dir)/cut.npz", "\(dir)/x2.h5", "--res-scale", "1"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.output.contains("missing in \(dir)/cut.npz: body.1.body.2.bias [8]"), missing.output)
    }

    /// Export takes what srdist's verbs take (resolved the same way), res_scale from the
    /// stored config, and the EMA weights unless --no-ema.
    func testExportResolvesAsTheCLIAndPrefersEMA() throws {
        XCTAssertEqual(try tool("pt_to_srdist.py", [fixture("edsr_b2f8_x2.npz"), "\(dir)/x2.h5", "--res-scale", "1"]).status, 0)
        let folder = "\(dir)/run/checkpoints"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // step 2: res_scale 0.1 in its config; step 4: an /ema group of params + 1.
        let edit = try python("""
            import sys, json, shutil, h5py
            src, folder = sys.argv[1], sys.argv[2]
            for step in (2, 4):
                dst = f"{folder}/step-{step:09d}.h5"
                shutil.copy(src, dst)
                with h5py.File(dst, "r+") as f:
                    config = json.loads(f.attrs["config"]); config["model"]["res_scale"] = 0.1 if step == 2 else 1.0
                    f.attrs["config"] = json.dumps(config)
                    if step == 4:
                        ema = f.create_group("ema"); ema.attrs["decay"] = 0.999
                        for name, ds in f["params"].items(): ema.create_dataset(name, data=ds[()] + 1)
            """, ["\(dir)/x2.h5", folder])
        XCTAssertEqual(edit.status, 0, edit.output)
        try "step-000000004.h5\n".write(toFile: "\(folder)/latest", atomically: true, encoding: .utf8)
        try "step-000000002.h5 31.5\n".write(toFile: "\(folder)/best", atomically: true, encoding: .utf8)
        let step2 = "\(folder)/step-000000002.h5", step4 = "\(folder)/step-000000004.h5"
        for (argument, file) in [("\(dir)/run", step4), (folder, step4), ("\(folder)/latest", step4), ("\(folder)/best", step2)] {
            XCTAssertEqual(try CheckpointStore.locate(argument), file, "srdist resolves \(argument)")
            let r = try tool("srdist_to_pt.py", [argument, "\(dir)/out.npz"])
            XCTAssertEqual(r.status, 0, r.output)
            XCTAssertTrue(r.output.contains(" from \(file), "), "\(argument): \(r.output)")
            XCTAssertTrue(r.output.contains(file == step2 ? "res_scale 0.1 (EDSR-PyTorch: --res_scale 0.1)" : "res_scale 1 "), r.output)
        }
        let ema = try tool("srdist_to_pt.py", [step4, "\(dir)/ema.npz"])
        XCTAssertTrue(ema.output.contains("the moving average (/ema)"), ema.output)
        let raw = try tool("srdist_to_pt.py", [step4, "\(dir)/raw.npz", "--no-ema"])
        XCTAssertTrue(raw.output.contains("the raw weights (/params)"), raw.output)
        XCTAssertTrue(try identical(fixture("edsr_b2f8_x2.npz"), "\(dir)/raw.npz"))
        let offset = try python("""
            import sys, numpy as np
            e, r = np.load(sys.argv[1]), np.load(sys.argv[2])
            print(all((e[k] == (r[k] if k.startswith(("sub_mean.", "add_mean.")) else r[k] + np.float32(1))).all() for k in r.files))
            """, ["\(dir)/ema.npz", "\(dir)/raw.npz"])
        XCTAssertEqual(offset.output, "True\n", "the EMA export holds /ema, the MeanShift unchanged")

        // A stale latest falls back to the highest step, a pointer out of the folder is
        // not followed, a best pointer to nothing is one line — as in srdist.
        try "step-000000009.h5\n".write(toFile: "\(folder)/latest", atomically: true, encoding: .utf8)
        try "../../x2.h5 40\n".write(toFile: "\(folder)/best", atomically: true, encoding: .utf8)
        XCTAssertEqual(try CheckpointStore.locate("\(folder)/latest"), step4)
        XCTAssertTrue(try tool("srdist_to_pt.py", ["\(folder)/latest", "\(dir)/out.npz"]).output.contains(" from \(step4), "))
        XCTAssertThrowsError(try CheckpointStore.locate("\(folder)/best")) { error in
            XCTAssertEqual("\(error)", "\(folder)/best: the pointer names no existing checkpoint")
        }
        let none = try tool("srdist_to_pt.py", ["\(folder)/best", "\(dir)/out.npz"])
        XCTAssertEqual(none.status, 1)
        XCTAssertEqual(none.output, "error: \(folder)/best: the pointer names no existing checkpoint\n")
    }
}
