import Checkpoint
import Foundation
import TestSupport
import XCTest

/// Whole training runs through the srdist binary, as users start them: resume,
/// refusal to overwrite, stop signals, and data parallelism under mpirun.
final class TrainRunTests: ScratchFolderTestCase {
    override class var folderPrefix: String { "srdist-run" }

    func train(_ run: String, steps: Int, _ extra: [String] = [], np: Int? = nil) throws -> (status: Int32, output: String) {
        let args = ["--config", tiny, "--set", "run_dir=\(dir.path)/\(run)", "--set", "train.steps=\(steps)",
                    "--set", "train.log_every=10", "--set", "checkpoint.save_every=1000"] + extra
        if let np { return try Executables.mpirunSrdist(np, args) }
        return try Executables.run(Executables.srdist, args, environment: ["OMP_NUM_THREADS": "2"])
    }

    /// Starts a training run in the background (1 thread) and returns once its output
    /// contains `text`.
    func start(_ run: String, _ extra: [String], until text: String) throws -> Process {
        try Executables.startLogged(Executables.srdist, ["--config", tiny, "--set", "run_dir=\(dir.path)/\(run)"] + extra,
                                    environment: ["OMP_NUM_THREADS": "1"], log: dir.appendingPathComponent("\(run).log"), until: text)
    }

    func params(_ run: String) throws -> [Float] {
        try CheckpointFile.read(path: try CheckpointStore.locate("\(dir.path)/\(run)")).params
    }

    /// k steps, then resume to 2k, equals 2k straight — bit for bit.
    func testResumeIsBitIdentical() throws {
        XCTAssertEqual(try train("straight", steps: 40).status, 0)
        XCTAssertEqual(try train("split", steps: 20).status, 0)
        let resumed = try train("split", steps: 40, ["--resume", "auto"])
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains(resumedLine("\(dir.path)/split", step: 20)), resumed.output)
        XCTAssertEqual(try params("straight"), try params("split"))
    }

    /// The same on 2 ranks: the data stream, the optimizer state and the reduction order
    /// all survive the restart.
    func testResumeOnTwoRanksIsBitIdentical() throws {
        XCTAssertEqual(try train("straight2", steps: 30, np: 2).status, 0)
        XCTAssertEqual(try train("split2", steps: 15, np: 2).status, 0)
        let resumed = try train("split2", steps: 30, ["--resume", "auto"], np: 2)
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains(resumedLine("\(dir.path)/split2", step: 15)), resumed.output)
        XCTAssertEqual(try params("straight2"), try params("split2"))
    }

    /// Every rank fails to list a missing dataset alike: the line comes once, from rank 0,
    /// every rank exits 1, and there is no MPI_Abort (and so no abort banner).
    func testMissingDatasetUnderMpirunIsReportedOnce() throws {
        let missing = "\(dir.path)/no-such-dataset"
        let r = try train("missing", steps: 2, ["--set", #"data={"kind": "folder", "root": "\#(missing)", "data_range": "1-2/3-3"}"#], np: 2)
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertEqual(r.output.components(separatedBy: "\(missing): folder not found").count - 1, 1, r.output)
        XCTAssertTrue(r.output.contains("Error: \(missing): folder not found"), r.output)
        XCTAssertFalse(r.output.contains("MPI_ABORT"), r.output)
    }

    /// A config every rank reads alike and refuses (here an override out of range): one
    /// line from rank 0, exit 1, no abort.
    func testBadConfigUnderMpirunIsReportedOnce() throws {
        let r = try train("badconfig", steps: 2, ["--set", "train.batch_size=0"], np: 2)
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertEqual(r.output.components(separatedBy: "Error: ").count - 1, 1, r.output)
        XCTAssertTrue(r.output.contains("Error: \(tiny): key 'train.batch_size'"), r.output)
        XCTAssertFalse(r.output.contains("MPI_ABORT"), r.output)
    }

    func testRerunWithoutResumeIsRefused() throws {
        XCTAssertEqual(try train("once", steps: 5).status, 0)
        let again = try train("once", steps: 5)
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.output.hasPrefix("Error: \(dir.path)/once already holds checkpoints"), again.output)
        let progress = try String(contentsOfFile: "\(dir.path)/once/metrics.jsonl", encoding: .utf8)
        XCTAssertTrue(progress.contains("\"event\":\"progress\""), progress)
    }

    /// SIGUSR1 → checkpoint at the next step → exit 85; `--resume auto` continues.
    func testStopSignalCheckpointsAndExits85() throws {
        let p = try start("sig", ["--set", "train.steps=100000", "--set", "train.log_every=5"], until: "step 10/")
        kill(p.processIdentifier, SIGUSR1)
        p.waitUntilExit(within: 120)
        XCTAssertEqual(p.terminationStatus, 85)
        let saved = try CheckpointFile.read(path: try CheckpointStore.locate("\(dir.path)/sig"))
        XCTAssertGreaterThanOrEqual(saved.step, 10)
        XCTAssertLessThan(saved.step, 100_000)
        let resumed = try train("sig", steps: saved.step + 5, ["--resume", "auto"])
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains(resumedLine("\(dir.path)/sig", step: saved.step)), resumed.output)
        XCTAssertEqual(try CheckpointFile.read(path: try CheckpointStore.locate("\(dir.path)/sig")).step, saved.step + 5)
    }

    /// The global batch is split across ranks and gradients summed: 1, 2 and 4 ranks
    /// train the same model up to float summation order; the same rank count twice
    /// gives the same bits.
    func testRankCountsAgree() throws {
        for (run, np) in [("np1", 1), ("np2", 2), ("np4", 4), ("np2again", 2)] {
            let r = try train(run, steps: 12, np: np)
            XCTAssertEqual(r.status, 0, r.output)
        }
        let one = try params("np1")
        for run in ["np2", "np4"] {
            let other = try params(run)
            let scale = one.map(abs).max()!
            let err = zip(one, other).map { abs($0 - $1) }.max()!
            // 12 Adam steps amplify reassociation noise (~1e-7) into ~1e-5 of the weights.
            XCTAssertLessThan(err / scale, 1e-4, run)
        }
        XCTAssertEqual(try params("np2"), try params("np2again"))
    }

    /// A NaN on one rank makes every rank skip that step (and only that step).
    func testNonFiniteGradientOnOneRankIsSkippedByAll() throws {
        let args = ["--config", tiny, "--set", "run_dir=\(dir.path)/nan", "--set", "train.steps=6", "--set", "train.log_every=1"]
        let r = try Executables.mpirunSrdist(2, args, environment: ["SRDIST_TEST_INJECT_NAN": "1:3"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("step 4: non-finite loss or gradient on some rank; update skipped (1 so far)"), r.output)
        XCTAssertEqual(try CheckpointFile.read(path: try CheckpointStore.locate("\(dir.path)/nan")).state.skippedSteps, 1)
    }

    /// Resuming at another rank count continues the same data stream: k steps on 1 rank
    /// + k on 2 ranks agrees with 2k on 1 rank to float-reassociation tolerance.
    func testResumeAtAnotherRankCount() throws {
        XCTAssertEqual(try train("one", steps: 16).status, 0)
        XCTAssertEqual(try train("mixed", steps: 8).status, 0)
        let resumed = try train("mixed", steps: 16, ["--resume", "auto"], np: 2)
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains(resumedLine("\(dir.path)/mixed", step: 8)), resumed.output)
        let (a, b) = (try params("one"), try params("mixed"))
        let err = zip(a, b).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(err / a.map(abs).max()!, 1e-4)
    }

    /// A first Ctrl-C checkpoints and exits 85 like SIGUSR1; a second one ends at once
    /// with 130. Bounded in time: a second Ctrl-C that is ignored while the save hangs fails.
    func testSecondInterruptStopsAtOnce() throws {
        let p = try start("int", ["--set", "train.steps=100000", "--set", "train.log_every=1",
                                  "--set", "train.batch_size=2048"], until: "step 1/")  // ~1 s steps
        kill(p.processIdentifier, SIGINT)
        usleep(100_000)  // two pending SIGINTs would merge into one
        kill(p.processIdentifier, SIGINT)
        let seconds = p.waitUntilExit(within: 60)
        XCTAssertEqual(p.terminationStatus, 130)
        XCTAssertLessThan(seconds, 20)
    }

    /// MDSR's per-step scales are the same at any rank count: 1 and 2 ranks train the
    /// same model; `srdist eval` then scores the checkpoint at each of its scales.
    func testMDSRAgreesAcrossRankCountsAndEvaluatesEveryScale() throws {
        let mdsr = Executables.repositoryRoot().appendingPathComponent("configs/tiny_mdsr.json").path
        for (run, np) in [("m1", 1), ("m2", 2)] {
            let r = try Executables.mpirunSrdist(np, ["--config", mdsr, "--set", "run_dir=\(dir.path)/\(run)", "--set", "train.steps=9"])
            XCTAssertEqual(r.status, 0, r.output)
        }
        let (a, b) = (try params("m1"), try params("m2"))
        XCTAssertLessThan(zip(a, b).map { abs($0 - $1) }.max()! / a.map(abs).max()!, 1e-4)
        XCTAssertEqual(try Executables.run(Executables.srdist, ["demo-data", "\(dir.path)/imgs", "--count", "2", "--size", "48"]).status, 0)
        let e = try Executables.run(Executables.srdist, ["eval", "--checkpoint", "\(dir.path)/m1", "--data", "\(dir.path)/imgs"])
        XCTAssertEqual(e.status, 0, e.output)
        for s in [2, 3, 4] { XCTAssertTrue(e.output.contains("×\(s) on \(dir.path)/imgs: 2 images, Y, shave \(s)"), e.output) }
    }

    /// `per_rank` on 3 ranks: every step trains all three scales, each on one rank.
    func testMDSRPerRankTrainsEveryScaleEachStep() throws {
        let mdsr = Executables.repositoryRoot().appendingPathComponent("configs/tiny_mdsr.json").path
        let r = try Executables.mpirunSrdist(3, ["--config", mdsr, "--set", "run_dir=\(dir.path)/pr", "--set", "train.steps=6",
                                                 "--set", "train.scale_schedule=per_rank", "--set", "train.log_every=3"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("steps per scale ×2: 6 ×3: 6 ×4: 6"), r.output)
        let saved = try CheckpointFile.read(path: try CheckpointStore.locate("\(dir.path)/pr"))
        XCTAssertEqual(saved.optimizer?.steps, ["shared": 6, "x2": 6, "x3": 6, "x4": 6])
    }
}
