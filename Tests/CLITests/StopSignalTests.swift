import Checkpoint
import Foundation
import TestSupport
import XCTest

/// Stop signals as a workstation user and a cluster send them: to `launch/local.sh`
/// (which starts the ranks through mpirun), to mpirun itself, and during start-up.
final class StopSignalTests: XCTestCase {
    var dir: URL!
    let root = Executables.repositoryRoot()
    var tiny: String { root.appendingPathComponent("configs/tiny_x2.json").path }

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("srdist-stop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// Starts `launch/local.sh 2 tiny …` (or `command` instead) in the background and
    /// returns once its output contains `text`.
    func launch(_ run: String, _ extra: [String], until text: String, command: [String]? = nil) throws -> (Process, URL) {
        let args = ["--set", "run_dir=\(dir.path)/\(run)", "--set", "train.steps=100000", "--set", "train.log_every=1"] + extra
        let argv = (command.map { $0 + ["--config", tiny] } ?? [root.appendingPathComponent("launch/local.sh").path, "2", tiny]) + args
        let log = dir.appendingPathComponent("\(run).log")
        let p = try Executables.startLogged("/usr/bin/env", argv, environment: ["SRDIST": Executables.srdist, "THREADS": "1"],
                                            log: log, until: text, timeout: 120)
        XCTAssertTrue(output(log).contains(text), output(log))
        return (p, log)
    }

    func output(_ log: URL) -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// SIGTERM (Slurm's preemption, `kill`) and SIGHUP (a closed terminal, a dropped ssh
    /// session) to the launcher: every rank checkpoints at the next step boundary, the job
    /// exits 85, no rank is left training behind it, and the checkpoint resumes.
    func testSIGTERMAndSIGHUPThroughTheLauncherCheckpointAndExit85() throws {
        for (signal, run) in [(SIGTERM, "term"), (SIGHUP, "hup")] {
            let (p, log) = try launch(run, [], until: "step 5/")
            kill(p.processIdentifier, signal)
            _ = p.waitUntilExit(within: 60)
            XCTAssertEqual(p.terminationStatus, 85, output(log))
            XCTAssertTrue(output(log).contains("stop signal: checkpointing at step"), output(log))
            let saved = try CheckpointFile.read(path: try CheckpointStore.locate("\(dir.path)/\(run)"))
            XCTAssertGreaterThanOrEqual(saved.step, 5)
            XCTAssertEqual(saved.worldSize, 2)
            let left = try Executables.run("/usr/bin/env", ["pgrep", "-f", "run_dir=\(dir.path)/\(run)"])
            XCTAssertEqual(left.output.trimmingCharacters(in: .whitespacesAndNewlines), "", "ranks left running after \(run)")
        }
    }

    /// Two Ctrl-Cs: the second stops every rank at once with 130.
    func testTwoInterruptsThroughMpirunExit130() throws {
        // Steps of ~1 s on one thread (Zen5, Haswell kernels): the first Ctrl-C's step and
        // save must outlast the gap, or the job ends with 85 first (CI saw that with 0.1 s
        // steps and a 0.3 s gap). 100 ms is ample for the script to trap each Ctrl-C apart.
        let slowSteps = ["--set", "train.batch_size=256", "--set", "train.patch_size=48", "--set", "model.features=32"]
        let (p, log) = try launch("int", slowSteps, until: "step 1/")
        kill(p.processIdentifier, SIGINT)
        usleep(100_000)
        kill(p.processIdentifier, SIGINT)
        let seconds = p.waitUntilExit(within: 60)
        XCTAssertEqual(p.terminationStatus, 130, output(log))
        XCTAssertTrue(output(log).contains("stopping at once (exit 130)"), output(log))
        XCTAssertLessThan(seconds, 20, output(log))
    }

    /// A stop during start-up (here: generating a larger synthetic dataset) exits 85 at
    /// once, without training a step or writing a checkpoint, in one line for the job.
    func testStopDuringStartUpExits85WithoutTraining() throws {
        let (p, log) = try launch("startup", ["--set", "data.synthetic_images=160", "--set", "data.synthetic_size=384"],
                                  until: "config overrides:")
        kill(p.processIdentifier, SIGTERM)
        let seconds = p.waitUntilExit(within: 60)
        XCTAssertEqual(p.terminationStatus, 85, output(log))
        // Both ranks get the signal; rank 0 alone says so.
        XCTAssertEqual(output(log).components(separatedBy: "stop signal during start-up: exiting with 85 before training").count - 1,
                       1, output(log))
        XCTAssertFalse(output(log).contains("step 1/"), output(log))
        XCTAssertLessThan(seconds, 10, output(log))
        XCTAssertEqual(CheckpointStore(directory: "\(dir.path)/startup/checkpoints").checkpoints().count, 0)
    }

    /// Straight to mpirun, SIGTERM still leaves a checkpoint when the launcher's SIGKILL
    /// delay covers a step and a save (`--mca odls_base_sigkill_timeout`), although
    /// Open MPI's mpirun then exits 1 rather than passing 85 on.
    func testSIGTERMToMpirunItselfCheckpointsWithinTheSigkillTimeout() throws {
        let mpirun = ["mpirun", "--oversubscribe", "-np", "2", "--mca", "odls_base_sigkill_timeout", "10", Executables.srdist]
        // A progress line every 50 steps: when mpirun stops reading the ranks' output, a
        // rank printing every step can block on the full pipe before its checkpoint.
        let (p, log) = try launch("direct", ["--set", "train.log_every=50"], until: "step 100/", command: mpirun)
        kill(p.processIdentifier, SIGTERM)
        _ = p.waitUntilExit(within: 60)
        XCTAssertNotEqual(p.terminationStatus, 0)
        XCTAssertTrue(output(log).contains("stop signal: checkpointing at step"), output(log))
        XCTAssertGreaterThanOrEqual(try CheckpointFile.read(path: try CheckpointStore.locate("\(dir.path)/direct")).step, 5)
    }

    /// A step plus a save longer than `checkpoint.stop_budget_seconds` is reported once.
    func testStopBudgetShorterThanAStepPlusASaveIsReported() throws {
        let r = try Executables.run(Executables.srdist, ["--config", tiny, "--set", "run_dir=\(dir.path)/budget", "--set", "train.steps=6",
                                                         "--set", "checkpoint.save_every=2", "--set", "checkpoint.stop_budget_seconds=0.0001"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(r.output.components(separatedBy: "take longer than checkpoint.stop_budget_seconds (0.0001 s)").count - 1, 1, r.output)
    }
}
