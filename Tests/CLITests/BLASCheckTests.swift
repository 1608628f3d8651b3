import Checkpoint
import Foundation
import Machine
import TestSupport
import XCTest

/// The start-up BLAS check through the srdist binary: what a user sees with and
/// without OPENBLAS_CORETYPE, the fallback when a chosen kernel fails its check, and
/// the provenance in bench output and checkpoints.
final class BLASCheckTests: XCTestCase {
    let tiny = Executables.repositoryRoot().appendingPathComponent("configs/tiny_x2.json").path
    let cpu = CPUFeatures.current

    /// `srdist bench --json` on the tiny model under `env -u OPENBLAS_CORETYPE` plus
    /// `environment`; returns the output and the JSON record (the last line).
    func bench(_ environment: [String: String] = [:]) throws -> (output: String, record: [String: Any]) {
        let r = try Executables.run("/usr/bin/env", ["-u", "OPENBLAS_CORETYPE", "-u", "SRDIST_BLAS_CHECK"]
                                    + environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                                    + [Executables.srdist, "bench", "--config", tiny, "--steps", "1", "--warmup", "0", "--json"])
        XCTAssertEqual(r.status, 0, r.output)
        let last = r.output.split(separator: "\n").last.map(String.init) ?? ""
        let record = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any] ?? [:]
        return (r.output, record)
    }

    /// The kernel srdist should end up with here when nothing is set: the best
    /// candidate whenever OpenBLAS's own pick is older than the CPU.
    func expectedKernel(skipping rejected: [String] = []) throws -> String {
        let openBLAS = try bench(["SRDIST_BLAS_CHECK": "0"]).record["blas_kernel"] as? String ?? "?"
        if case .reexec(let coreType) = chooseBLASKernel(cpu: cpu, kernel: openBLAS, userCoreType: nil, rejected: rejected) {
            return coreType
        }
        return openBLAS
    }

    func testNothingSetRunsTheBestKernelAndNamesItInTheStartLine() throws {
        let expected = try expectedKernel()
        if KernelLevel(cpu: cpu) == .avx512 {
            XCTAssertEqual(KernelLevel(openBLASCore: expected), .avx512, "an AVX-512 CPU must end up on AVX-512 kernels")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("srdist-blas-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Executables.run("/usr/bin/env", ["-u", "OPENBLAS_CORETYPE", Executables.srdist, "--config", tiny,
                                                     "--set", "run_dir=\(dir.path)", "--set", "train.steps=2"])
        XCTAssertEqual(r.status, 0, r.output)
        let start = r.output.split(separator: "\n").first { $0.hasPrefix("srdist: ") }.map(String.init) ?? ""
        XCTAssertTrue(start.contains("BLAS \(BLASLibrary.loaded.name) \(BLASLibrary.loaded.version) \(expected) ("), start)
        XCTAssertTrue(start.contains("SIMD \(SIMDLevel(cpu: cpu).rawValue)"), start)
        XCTAssertFalse(r.output.contains("warning"), r.output)
        let saved = try CheckpointFile.read(path: try CheckpointStore.locate(dir.path))
        XCTAssertEqual(saved.blas, "\(BLASLibrary.loaded.name) \(BLASLibrary.loaded.version) \(expected)")
        XCTAssertEqual(saved.simd, SIMDLevel(cpu: cpu).rawValue)
    }

    /// SRDIST_SIMD picks the Winograd loops' compilation, and bench records the one that ran.
    func testSIMDLevelIsTheCPUsWidestUnlessForced() throws {
        XCTAssertEqual(try bench().record["simd"] as? String, SIMDLevel(cpu: cpu).rawValue)
        for level in SIMDLevel.supported(on: cpu) {
            XCTAssertEqual(try bench(["SRDIST_SIMD": level.rawValue]).record["simd"] as? String, level.rawValue)
        }
    }

    /// A level the CPU lacks, or a misspelt one: one line, non-zero exit, before any work.
    func testImpossibleSIMDLevelIsRefusedWithOneLine() throws {
        let beyond = SIMDLevel.allCases.first { $0 > SIMDLevel(cpu: cpu) }
        for value in ["avx9"] + [beyond?.rawValue].compactMap { $0 } {
            let r = try Executables.run("/usr/bin/env", ["SRDIST_SIMD=\(value)", Executables.srdist, "bench", "--config", tiny,
                                                         "--steps", "1", "--warmup", "0"])
            XCTAssertNotEqual(r.status, 0, r.output)
            let lines = r.output.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, r.output)
            XCTAssertTrue(lines.first?.hasPrefix("Error: SRDIST_SIMD=\(value)") ?? false, r.output)
        }
    }

    func testUserCoreTypeIsKeptWithAWarningWhenTheCPUCouldDoBetter() throws {
        let (output, record) = try bench(["OPENBLAS_CORETYPE": "Prescott"])
        XCTAssertEqual(record["blas_kernel"] as? String, "Prescott")
        XCTAssertEqual(record["blas_origin"] as? String, "OPENBLAS_CORETYPE")
        let warnings = output.split(separator: "\n").filter { $0.contains("warning: OPENBLAS_CORETYPE=Prescott kept") }
        XCTAssertEqual(warnings.count, KernelLevel(cpu: cpu) > .sse ? 1 : 0, output)
    }

    /// Training on 2 ranks with a slower setting: one warning per job, on the line before
    /// the start line, which names the kept kernel.
    func testSlowerSettingIsWarnedOncePerJobNextToTheStartLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("srdist-blas-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Executables.mpirunSrdist(2, ["--config", tiny, "--set", "run_dir=\(dir.path)", "--set", "train.steps=2"],
                                             environment: ["OPENBLAS_CORETYPE": "Prescott"])
        XCTAssertEqual(r.status, 0, r.output)
        let lines = r.output.split(separator: "\n").map(String.init)
        let warnings = lines.indices.filter { lines[$0].contains("warning: OPENBLAS_CORETYPE=Prescott kept") }
        let start = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("srdist: tiny_x2") }, r.output)
        XCTAssertTrue(lines[start].contains("BLAS \(BLASLibrary.loaded.name) \(BLASLibrary.loaded.version) Prescott (OPENBLAS_CORETYPE"), lines[start])
        XCTAssertEqual(warnings, KernelLevel(cpu: cpu) > .sse ? [start - 1] : [], r.output)
    }

    /// Refused input gets its one line alone, whatever the environment says about BLAS:
    /// the slower-setting warning waits for the work (clusters set OPENBLAS_CORETYPE on
    /// purpose, and every verb would otherwise print it first).
    func testRefusedInputIsOneLineUnderASlowerSetting() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("srdist-blas-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("missing").path
        for (args, error) in [(["eval", "--checkpoint", "\(missing)/c.h5", "--data", missing], "Error: \(missing)/c.h5: "),
                              (["--config", tiny, "--set", #"data={"kind": "folder", "root": "\#(missing)", "data_range": "1-2/3-3"}"#,
                                "--set", "run_dir=\(dir.path)/run"], "Error: \(missing): folder not found")] {
            let r = try srdist(args, environment: ["OPENBLAS_CORETYPE": "Prescott"])
            XCTAssertEqual(r.status, 1, r.output)
            // Train says which overrides it read; nothing else but the error.
            let lines = r.output.split(separator: "\n").filter { !$0.hasPrefix("config overrides:") }
            XCTAssertEqual(lines.count, 1, r.output)
            XCTAssertTrue(lines.first?.hasPrefix(error) ?? false, r.output)
        }
    }

    /// The kernel srdist would run here fails its check — chosen by srdist, or OpenBLAS's
    /// own pick when that is already the best (Zen 5 here) —: the next one runs, with a warning.
    func testKernelThatFailsItsCheckIsReplacedAndReported() throws {
        let first = try expectedKernel()
        let expected = openBLASCandidates(for: cpu).first { $0.lowercased() != first.lowercased() } ?? "Prescott"
        let (output, record) = try bench(["SRDIST_TEST_BLAS_WRONG": first])
        XCTAssertEqual(record["blas_kernel"] as? String, expected, output)
        XCTAssertTrue(output.contains("warning: OpenBLAS core type \(first) rejected: its sgemm differs from a plain loop"), output)
    }

    /// A user's core type that computes wrong is refused (one line), not kept; so is a
    /// CPU on which every kernel srdist could try fails.
    func testWrongKernelsAreNeverRun() throws {
        let r = try srdist(["bench", "--config", tiny, "--steps", "1", "--warmup", "0"],
                           environment: ["OPENBLAS_CORETYPE": "Prescott", "SRDIST_TEST_BLAS_WRONG": "Prescott"])
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertEqual(r.output.split(separator: "\n").count, 1, r.output)
        XCTAssertTrue(r.output.hasPrefix("Error: OPENBLAS_CORETYPE=Prescott: OpenBLAS's Prescott kernel computes sgemm wrong"), r.output)

        let own = try bench(["SRDIST_BLAS_CHECK": "0"]).record["blas_kernel"] as? String ?? "?"
        let every = (openBLASCandidates(for: cpu) + ["Prescott", own]).joined(separator: ",")
        let all = try Executables.run("/usr/bin/env", ["-u", "OPENBLAS_CORETYPE", "SRDIST_TEST_BLAS_WRONG=\(every)", Executables.srdist,
                                                       "bench", "--config", tiny, "--steps", "1", "--warmup", "0"])
        XCTAssertEqual(all.status, 1, all.output)
        XCTAssertEqual(all.output.split(separator: "\n").count, 1, all.output)
        XCTAssertTrue(all.output.hasPrefix("Error: no OpenBLAS kernel computes sgemm right on this"), all.output)
    }

    /// A core type srdist set that this OpenBLAS lacks (it silently runs another) is rejected too.
    func testChosenKernelMissingFromOpenBLASIsRejected() throws {
        let expected = try expectedKernel()
        let (output, record) = try bench(["OPENBLAS_CORETYPE": "NoSuchCore", "SRDIST_BLAS_CHOSEN": "NoSuchCore"])
        XCTAssertEqual(record["blas_kernel"] as? String, expected, output)
        XCTAssertTrue(output.contains("warning: OpenBLAS core type NoSuchCore rejected: this OpenBLAS has no such kernel"), output)
    }

    func testSwitchOff() throws {
        // Under the test process's own OPENBLAS_CORETYPE (machines may set one), so both load the same kernel.
        let inherited = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].map { ["OPENBLAS_CORETYPE": $0] } ?? [:]
        let record = try bench(inherited.merging(["SRDIST_BLAS_CHECK": "0"]) { $1 }).record
        XCTAssertEqual(record["blas_origin"] as? String, "not checked")
        XCTAssertEqual(record["blas"] as? String, BLASLibrary.loaded.description, "the test process loads OpenBLAS unchecked too")
    }
}
