import Checkpoint
import Foundation
import TestSupport
import XCTest

/// The launch scripts as users run them, without a cluster: `SlurmStubs/` holds stand-ins
/// for sbatch (plays slurmctld for one single-node job: #SBATCH directives, SLURM_*
/// variables, the time-limit signal, requeue), srun (starts the step through mpirun) and
/// scontrol, each recording its calls in `calls`.
final class SlurmScriptTests: XCTestCase {
    var dir: URL!
    let root = Executables.repositoryRoot()
    var tiny: String { root.appendingPathComponent("configs/tiny_x2.json").path }

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("srdist-slurm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// `sbatch --nodes=1 --ntasks-per-node=TASKS --cpus-per-task=THREADS SCRIPT --set …`
    /// through the stubs; `warnAt` is the output text at which the time-limit signal fires.
    func sbatch(_ script: String, tasks: Int, threads: Int, steps: Int, warnAt: String? = nil)
        throws -> (status: Int32, calls: String, log: String) {
        let stubs = root.appendingPathComponent("Tests/CLITests/SlurmStubs").path
        var env = ["PATH": stubs + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                   "SLURM_STUB_DIR": dir.path, "SRDIST": Executables.srdist, "CONFIG": tiny]
        if let warnAt { env["SLURM_STUB_WARN_AT"] = warnAt }
        let r = try Executables.run("/usr/bin/env",
                                    ["sbatch", "--chdir=\(dir.path)", "--nodes=1", "--ntasks-per-node=\(tasks)",
                                     "--cpus-per-task=\(threads)", root.appendingPathComponent(script).path,
                                     "--set", "run_dir=\(dir.path)/run", "--set", "train.steps=\(steps)",
                                     "--set", "train.log_every=10"],
                                    environment: env, timeout: 120)
        let calls = (try? String(contentsOf: dir.appendingPathComponent("calls"), encoding: .utf8)) ?? ""
        let log = (try? String(contentsOf: dir.appendingPathComponent("srdist-srdist-4242.log"), encoding: .utf8)) ?? ""
        XCTAssertTrue(r.output.contains("Submitted batch job 4242"), r.output)
        return (r.status, calls, log)
    }

    func finalStep() throws -> Int {
        try CheckpointFile.read(path: try CheckpointStore.locate("\(dir.path)/run")).step
    }

    /// The step at which "stop signal: checkpointing at step K" was printed.
    func stopStep(_ log: String) -> Int? {
        guard let range = log.range(of: "checkpointing at step ") else { return nil }
        return Int(log[range.upperBound...].prefix { $0.isNumber })
    }

    func testSrunScriptFinishesWithoutRequeue() throws {
        let r = try sbatch("launch/slurm/train.sbatch", tasks: 1, threads: 2, steps: 15)
        XCTAssertEqual(r.status, 0, r.log)
        XCTAssertFalse(r.calls.contains("scontrol"), r.calls)
        XCTAssertTrue(r.calls.contains("job 4242 restart 0 exit 0"), r.calls)
        // --cpus-per-task reaches srun explicitly, and the BLAS thread count.
        XCTAssertTrue(r.calls.contains("srun --mpi=pmix --cpu-bind=cores --cpus-per-task=2 \(Executables.srdist) --config \(tiny) --resume auto"), r.calls)
        XCTAssertTrue(r.calls.contains("SRUN_CPUS_PER_TASK=2 OMP_NUM_THREADS=2"), r.calls)
        XCTAssertTrue(r.log.contains("over 1 rank × 2 threads"), r.log)
        XCTAssertEqual(try finalStep(), 15)
    }

    /// Slurm signals the step's tasks; srdist checkpoints and exits 85; the script
    /// requeues; the requeued job resumes from that checkpoint and finishes.
    func testSrunScriptRequeuesOnSignalAndResumes() throws {
        let steps = 600
        let r = try sbatch("launch/slurm/train.sbatch", tasks: 2, threads: 1, steps: steps, warnAt: "step 10/")
        XCTAssertEqual(r.status, 0, r.log)
        for call in ["signal SIGUSR1 to steps", "job 4242 restart 0 exit 85", "scontrol requeue 4242", "job 4242 restart 1 exit 0"] {
            XCTAssertTrue(r.calls.contains(call), "\(call) missing from\n\(r.calls)")
        }
        XCTAssertEqual(r.calls.components(separatedBy: "srun --mpi=pmix").count - 1, 2, r.calls)
        XCTAssertTrue(r.calls.contains("SRUN_CPUS_PER_TASK=1 OMP_NUM_THREADS=1"), r.calls)
        try checkResumed(r.log, steps: steps)
    }

    /// The same with mpirun inside the allocation: Slurm signals the batch shell, whose
    /// trap forwards SIGUSR1 to mpirun.
    func testMpirunScriptForwardsSignalRequeuesAndResumes() throws {
        let steps = 600
        let r = try sbatch("launch/slurm/train-mpirun.sbatch", tasks: 2, threads: 1, steps: steps, warnAt: "step 10/")
        XCTAssertEqual(r.status, 0, r.log)
        for call in ["signal SIGUSR1 to batch", "job 4242 restart 0 exit 85", "scontrol requeue 4242", "job 4242 restart 1 exit 0"] {
            XCTAssertTrue(r.calls.contains(call), "\(call) missing from\n\(r.calls)")
        }
        XCTAssertFalse(r.calls.contains("srun"), r.calls)
        XCTAssertTrue(r.log.contains("SIGUSR1 received, forwarding to mpirun"), r.log)
        XCTAssertTrue(r.log.contains("over 2 ranks × 1 threads"), r.log)
        try checkResumed(r.log, steps: steps)
    }

    /// Both jobs append to one log; the second resumed at the step the first saved.
    func checkResumed(_ log: String, steps: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertTrue(log.contains("(restart 0)") && log.contains("(restart 1)"), log, file: file, line: line)
        let stop = try XCTUnwrap(stopStep(log), log, file: file, line: line)
        XCTAssertGreaterThanOrEqual(stop, 10, file: file, line: line)
        XCTAssertLessThan(stop, steps, file: file, line: line)
        XCTAssertTrue(log.contains("resumed from \(dir.path)/run/checkpoints/step-\(String(format: "%09d", stop)).h5 at step \(stop)"),
                      log, file: file, line: line)
        XCTAssertEqual(try finalStep(), steps, file: file, line: line)
    }

    /// What makes preemption work lives in the directives, which the stubs honour but
    /// cannot require.
    func testScriptsDeclareSignalRequeueAndAppend() throws {
        for (script, signal) in [("train.sbatch", "USR1@300"), ("train-mpirun.sbatch", "B:USR1@300")] {
            let text = try String(contentsOf: root.appendingPathComponent("launch/slurm/\(script)"), encoding: .utf8)
            for directive in ["#SBATCH --signal=\(signal)\n", "#SBATCH --requeue\n", "#SBATCH --open-mode=append\n"] {
                XCTAssertTrue(text.contains(directive), "\(script) lacks \(directive)")
            }
        }
    }

    func testLocalScriptTrainsOnTwoRanks() throws {
        let r = try Executables.run(root.appendingPathComponent("launch/local.sh").path,
                                    ["2", tiny, "--set", "run_dir=\(dir.path)/run", "--set", "train.steps=6"],
                                    environment: ["SRDIST": Executables.srdist], timeout: 60)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("over 2 ranks"), r.output)
        XCTAssertEqual(try finalStep(), 6)
    }
}
