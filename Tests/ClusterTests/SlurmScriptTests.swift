import Checkpoint
import Foundation
import TestSupport
import XCTest

/// The launch scripts on a real Slurm: `launch/slurm/testcluster.sh up` starts munged,
/// slurmctld and one slurmd (this machine, 2 CPUs, KillWait 10 s, no cgroups, the PMIx
/// plugin) for the class, and each script — train.sbatch (srun --mpi=pmix) and
/// train-mpirun.sbatch (mpirun inside the allocation) — is submitted with sbatch as users
/// do: (a) to the end, (b) stopped by `scancel --signal=USR1` → exit 85 → requeued →
/// resumed → the same bits as the uninterrupted run, (c) a plain scancel → a checkpoint
/// within KillWait, (d) the time-limit warning signal → exit 85 → requeued → resumed.
/// A requeued job is held by Slurm for its requeue delay (BeginTime, about two minutes);
/// the tests release it at once with `scontrol update jobid=… StartTime=now`.
final class SlurmScriptTests: XCTestCase {
    static let root = Executables.repositoryRoot()
    /// What `testcluster.sh up` printed: the cluster's slurm.conf, or why it did not start.
    static var cluster: Result<String, SlurmTestError> = .failure(SlurmTestError("not started"))
    static let killWait = 10.0

    var dir: URL!
    var conf = ""
    var jobs: [Int] = []
    var tiny: String { Self.root.appendingPathComponent("configs/tiny_x2.json").path }

    struct SlurmTestError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    override class func setUp() {
        super.setUp()
        cluster = startCluster([:])
    }

    override class func tearDown() {
        if case .success(let conf) = cluster { stopCluster(conf) }
        super.tearDown()
    }

    /// `testcluster.sh up` (which installs Slurm and munge when missing) with `environment`.
    static func startCluster(_ environment: [String: String]) -> Result<String, SlurmTestError> {
        let script = root.appendingPathComponent("launch/slurm/testcluster.sh").path
        guard let up = try? Executables.run(script, ["up"], environment: environment, timeout: 600) else {
            return .failure(SlurmTestError("could not run \(script)"))
        }
        let export = "export SLURM_CONF="
        guard up.status == 0, let line = up.output.split(separator: "\n").first(where: { $0.hasPrefix(export) }) else {
            return .failure(SlurmTestError("testcluster.sh up failed (\(up.status)):\n\(up.output)"))
        }
        return .success(String(line.dropFirst(export.count)))
    }

    static func stopCluster(_ conf: String) {
        let script = root.appendingPathComponent("launch/slurm/testcluster.sh").path
        _ = try? Executables.run(script, ["down"], environment: ["SLURM_CONF": conf], timeout: 120)
    }

    override func setUpWithError() throws {
        conf = try Self.cluster.get()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("srdist-slurm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        // A failed test may leave its jobs running; the next test needs the CPUs.
        if !jobs.isEmpty {
            _ = try? slurm("scancel", jobs.map(String.init))
            for id in jobs {
                try? waitUntil(id, "gone", timeout: 2 * Self.killWait + 20) { state, _ in state["JobState"].map(Self.isFinal) ?? true }
            }
        }
        if let dir { try? FileManager.default.removeItem(at: dir) }  // nil when setUp found no cluster
    }

    static func isFinal(_ state: String) -> Bool { ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT"].contains(state) }

    // MARK: - Slurm commands

    @discardableResult
    func slurm(_ command: String, _ arguments: [String]) throws -> String {
        let r = try Executables.run("/usr/bin/env", [command] + arguments, environment: ["SLURM_CONF": conf], timeout: 60)
        XCTAssertEqual(r.status, 0, "\(command) \(arguments.joined(separator: " ")): \(r.output)")
        return r.output
    }

    /// `sbatch` from the repository root (the scripts source launch/slurm/job.sh from the
    /// submit folder): `nodes` nodes × `tasks` ranks × 1 CPU, srdist on the tiny config with
    /// `steps` steps in the run folder `run`. Returns the job id.
    func submit(_ script: String, _ options: [String] = [], run: String, steps: Int, _ srdist: [String] = [],
                nodes: Int = 1, tasks: Int = 2) throws -> Int {
        let r = try Executables.run("/usr/bin/env",
                                    ["-C", Self.root.path, "sbatch", "--parsable", "--nodes=\(nodes)", "--ntasks-per-node=\(tasks)",
                                     "--cpus-per-task=1", "--output=\(dir.path)/job-%j.log"] + options
                                    + ["launch/slurm/\(script)", "--set", "run_dir=\(folder(run))", "--set", "train.steps=\(steps)",
                                       "--set", "train.log_every=10"] + srdist,
                                    environment: ["SLURM_CONF": conf, "SRDIST": Executables.srdist, "CONFIG": tiny], timeout: 60)
        let id = try XCTUnwrap(Int(r.output.trimmingCharacters(in: .whitespacesAndNewlines)), "sbatch: \(r.output)")
        jobs.append(id)
        return id
    }

    func folder(_ run: String) -> String { "\(dir.path)/\(run)" }

    /// `scontrol show job -o ID` as key → value. The query is retried: once in a long
    /// polling loop, scontrol was seen ending with status 13 (a death by SIGPIPE) and no output while
    /// slurmctld was busy ending a job; the next poll worked. Three failures in a row fail.
    func state(_ id: Int) throws -> [String: String] {
        let arguments = ["show", "job", "-o", String(id)]
        var failures: [String] = []
        while true {
            let r = try Executables.run("/usr/bin/env", ["scontrol"] + arguments, environment: ["SLURM_CONF": conf], timeout: 60)
            if r.status == 0 {
                var fields: [String: String] = [:]
                for word in r.output.split(whereSeparator: \.isWhitespace) {
                    guard let eq = word.firstIndex(of: "=") else { continue }
                    fields[String(word[..<eq])] = String(word[word.index(after: eq)...])
                }
                return fields
            }
            failures.append("status \(r.status): \(r.output)")
            if failures.count == 3 {
                throw SlurmTestError("scontrol \(arguments.joined(separator: " ")) failed 3 times: \(failures.joined(separator: "; "))")
            }
            sleep(1)
        }
    }

    func log(_ id: Int) -> String {
        (try? String(contentsOf: dir.appendingPathComponent("job-\(id).log"), encoding: .utf8)) ?? ""
    }

    /// Polls the job's state and output until `condition` holds; fails after `timeout` s.
    func waitUntil(_ id: Int, _ what: String, timeout: Double = 180,
                   _ condition: ([String: String], String) -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let now = try state(id)
            if condition(now, log(id)) { return }
            if now["JobState"].map(Self.isFinal) ?? false { break }  // it will not happen any more
            usleep(200_000)
        }
        let last = try state(id)
        throw SlurmTestError("job \(id) not \(what) (waited up to \(Int(timeout)) s): JobState=\(last["JobState"] ?? "?") "
                           + "Reason=\(last["Reason"] ?? "?") Restarts=\(last["Restarts"] ?? "?")\n\(log(id))")
    }

    func waitUntilFinal(_ id: Int, _ expected: String) throws {
        try waitUntil(id, expected) { state, _ in state["JobState"].map(Self.isFinal) ?? false }
        XCTAssertEqual(try state(id)["JobState"], expected, log(id))
    }

    /// Waits for the requeue `scontrol requeue` made, then releases the job from the
    /// requeue delay (`extra`: further `scontrol update` fields for the next run). The job
    /// reads PENDING while its first run is still completing; only then does Slurm set the
    /// delay (Reason=BeginTime), and an update before that loses the requeue. The delay
    /// is there for slurmd: it refuses a credential made in the same second as the
    /// revocation of the job's last one ("Job credential revoked", the job FAILS with exit
    /// 1 and no output), so the release waits two seconds.
    func waitForRequeueAndRelease(_ id: Int, _ extra: [String] = []) throws {
        try waitUntil(id, "requeued") { state, _ in
            state["Restarts"] == "1" && state["JobState"] == "PENDING" && state["Reason"] == "BeginTime"
        }
        sleep(2)
        try slurm("scontrol", ["update", "jobid=\(id)", "StartTime=now"] + extra)
    }

    // MARK: - Run folders

    /// K from rank 0's "stop signal: checkpointing at step K" in the run's train.log (the
    /// job log may lack it: mpirun stops forwarding output once it is killing the ranks).
    func stopStep(_ run: String) throws -> Int {
        let text = try String(contentsOfFile: "\(folder(run))/train.log", encoding: .utf8)
        let range = try XCTUnwrap(text.range(of: "stop signal: checkpointing at step "), text)
        return try XCTUnwrap(Int(text[range.upperBound...].prefix { $0.isNumber }), text)
    }

    func checkpoint(_ run: String) throws -> CheckpointContents {
        try CheckpointFile.read(path: try CheckpointStore.locate(folder(run)))
    }

    func assertSameBits(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let (x, y) = (try checkpoint(a), try checkpoint(b))
        XCTAssertEqual(x.step, y.step, file: file, line: line)
        XCTAssertEqual(x.params.map(\.bitPattern), y.params.map(\.bitPattern), "parameters", file: file, line: line)
        XCTAssertEqual(x.optimizer?.m.map(\.bitPattern), y.optimizer?.m.map(\.bitPattern), "Adam m", file: file, line: line)
        XCTAssertEqual(x.optimizer?.v.map(\.bitPattern), y.optimizer?.v.map(\.bitPattern), "Adam v", file: file, line: line)
    }

    func resumedLine(_ run: String, at step: Int) -> String {
        "resumed from \(folder(run))/checkpoints/step-\(String(format: "%09d", step)).h5 at step \(step)"
    }

    // MARK: - Scenarios

    /// (a) and (b): an uninterrupted run, and one stopped by `scancel STOP` after step 100,
    /// which exits 85, is requeued, resumes from its checkpoint and ends with the same bits.
    /// The tiny model trains ~150 steps/s on an idle machine: 5000 steps leave the signal
    /// ~30 s to arrive before the run would end by itself, enough on a loaded machine.
    func checkStopRequeueResume(_ script: String, stop: [String]) throws {
        let (steps, quieter) = (5000, ["--set", "train.log_every=100"])
        let straight = try submit(script, run: "straight", steps: steps, quieter)
        let stopped = try submit(script, run: "stopped", steps: steps, quieter)  // runs after `straight`: 2 CPUs
        try waitUntilFinal(straight, "COMPLETED")
        XCTAssertEqual(try state(straight)["ExitCode"], "0:0")
        XCTAssertEqual(try state(straight)["Restarts"], "0")
        XCTAssertTrue(log(straight).contains("over 2 ranks × 1 threads"), log(straight))
        XCTAssertFalse(log(straight).contains("lacks support for cpu binding"), log(straight))
        XCTAssertEqual(try checkpoint("straight").step, steps)

        try waitUntil(stopped, "training") { _, log in log.contains("step 100/") }
        try slurm("scancel", stop + [String(stopped)])
        try waitForRequeueAndRelease(stopped)
        XCTAssertTrue(log(stopped).contains("srdist: exit 85 (checkpointed after a stop signal): requeueing job \(stopped)"), log(stopped))
        let k = try stopStep("stopped")
        XCTAssertGreaterThanOrEqual(k, 100)
        XCTAssertLessThan(k, steps)
        try waitUntilFinal(stopped, "COMPLETED")
        XCTAssertEqual(try state(stopped)["ExitCode"], "0:0")
        XCTAssertTrue(log(stopped).contains("(restart 1)"), log(stopped))
        XCTAssertTrue(log(stopped).contains(resumedLine("stopped", at: k)), log(stopped))
        try assertSameBits("straight", "stopped")
        print("measured: \(script) scancel \(stop.joined(separator: " ")): exit 85 at step \(k), requeued, resumed at \(k), "
              + "finished at \(steps); compared bit for bit with the uninterrupted run")
    }

    /// (c): a plain scancel sends SIGTERM to the batch shell and every rank and SIGKILL after
    /// KillWait. The model here is larger than tiny (steps of ~1–2 s here), so a launcher that
    /// kills the ranks early — Open MPI's 1 s default odls_base_sigkill_timeout — or a batch
    /// shell that dies at once (Slurm then kills the rest of the job) leaves no checkpoint.
    func checkScancelCheckpointsWithinKillWait(_ script: String) throws {
        let id = try submit(script, run: "cancelled", steps: 100_000,
                            ["--set", "model.blocks=8", "--set", "model.features=64", "--set", "train.patch_size=48",
                             "--set", "train.log_every=1"])
        try waitUntil(id, "training") { _, log in log.contains("step 1/") }
        let sent = Date()
        try slurm("scancel", [String(id)])
        try waitUntilFinal(id, "CANCELLED")
        XCTAssertEqual(try state(id)["Restarts"], "0", "a cancelled job stays cancelled")
        XCTAssertTrue(log(id).contains("srdist: SIGTERM received, waiting for the ranks to checkpoint"), log(id))
        let k = try stopStep("cancelled")
        let checkpoints = "\(folder("cancelled"))/checkpoints"
        let saved = "\(checkpoints)/step-\(String(format: "%09d", k)).h5"
        let written = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: saved)[.modificationDate] as? Date)
        XCTAssertLessThan(written.timeIntervalSince(sent), Self.killWait, "checkpoint written after KillWait")
        print("measured: \(script) scancel: checkpoint at step \(k) written \(String(format: "%.1f", written.timeIntervalSince(sent))) s "
              + "after scancel, job gone after \(String(format: "%.1f", Date().timeIntervalSince(sent))) s (KillWait \(Int(Self.killWait)) s)")
        XCTAssertEqual(try checkpoint("cancelled").step, k)
        // Nothing half-written: every file is a whole checkpoint or the `latest` pointer.
        for name in try FileManager.default.contentsOfDirectory(atPath: checkpoints) where name != "latest" {
            XCTAssertTrue(name.hasPrefix("step-") && name.hasSuffix(".h5"), "stray \(name)")
            XCTAssertNoThrow(try CheckpointFile.read(path: "\(checkpoints)/\(name)"), name)
        }
    }

    /// (d): the time-limit warning (`--signal=SIGNAL@90`) → exit 85 → requeued → resumed.
    /// Slurm looks at time limits every 30 s and sends the warning at the first look with at
    /// most lead + 30 s left: with `--time=2` at submission that look may come before the
    /// ranks have started, so the job is submitted with 5 min and lowered to 2 min once it
    /// trains (the warning then comes at the next look, 0–30 s later, and leaves ≥ 60 s for
    /// mpirun's 2 × KillWait); the requeued run gets 5 min again, resumes, and is cancelled.
    func checkTimeLimitRequeues(_ script: String, signal: String) throws {
        let id = try submit(script, ["--time=5", "--signal=\(signal)@90"], run: "timed", steps: 1_000_000,
                            ["--set", "train.log_every=500"])  // a log a failure can quote whole
        try waitUntil(id, "training") { _, log in log.contains("step 500/") }
        try slurm("scontrol", ["update", "jobid=\(id)", "TimeLimit=2"])
        let lowered = Date()
        try waitForRequeueAndRelease(id, ["TimeLimit=5"])
        let requeued = Date().timeIntervalSince(lowered)
        XCTAssertTrue(log(id).contains("srdist: exit 85 (checkpointed after a stop signal): requeueing job \(id)"), log(id))
        let k = try stopStep("timed")
        XCTAssertGreaterThanOrEqual(k, 500)
        try waitUntil(id, "resumed") { [self] _, log in log.contains(resumedLine("timed", at: k)) }
        print("measured: \(script) --time=2 --signal=\(signal)@90: exit 85 at step \(k), requeued "
              + "\(String(format: "%.0f", requeued)) s after the limit was lowered, resumed at \(k)")
        try slurm("scancel", [String(id)])
        try waitUntilFinal(id, "CANCELLED")
    }

    // MARK: - train.sbatch (srun --mpi=pmix)

    func testSrunScriptFinishesAndResumesBitIdenticallyAfterUSR1() throws {
        try checkStopRequeueResume("train.sbatch", stop: ["--signal=USR1"])
    }

    func testSrunScriptCheckpointsWithinKillWaitOnScancel() throws {
        try checkScancelCheckpointsWithinKillWait("train.sbatch")
        XCTAssertTrue(log(jobs[0]).contains("srdist: exit 85 (checkpointed after SIGTERM): Slurm is ending job \(jobs[0]), not requeued here"),
                      log(jobs[0]))
    }

    func testSrunScriptRequeuesAtTimeLimit() throws {
        try checkTimeLimitRequeues("train.sbatch", signal: "USR1")
    }

    /// On a Slurm without the PMIx plugin the srun script says what to use instead.
    func testSrunScriptWithoutPMIxPointsToMpirunScript() throws {
        let main = conf
        conf = try Self.startCluster(["WITHOUT_PLUGINS": "mpi_pmix*"]).get()
        defer { Self.stopCluster(conf); conf = main; jobs = [] }  // its jobs are gone with it
        XCTAssertFalse(try slurm("srun", ["--mpi=list"]).contains("pmix"))
        let id = try submit("train.sbatch", run: "nopmix", steps: 5)
        try waitUntilFinal(id, "FAILED")
        XCTAssertEqual(try state(id)["ExitCode"], "1:0")
        XCTAssertTrue(log(id).contains("srdist: this Slurm has no PMIx plugin (srun --mpi=list lacks pmix); "
                                       + "submit launch/slurm/train-mpirun.sbatch instead"), log(id))
    }

    // MARK: - train-mpirun.sbatch (mpirun inside the allocation)

    /// Slurm signals only the batch shell here (`scancel --batch`), whose trap forwards
    /// SIGUSR1 to mpirun. (Without --batch the signal goes to job steps, of which a
    /// single-node mpirun job has none.)
    func testMpirunScriptFinishesAndResumesBitIdenticallyAfterUSR1() throws {
        try checkStopRequeueResume("train-mpirun.sbatch", stop: ["--batch", "--signal=USR1"])
        XCTAssertTrue(log(jobs[1]).contains("srdist: SIGUSR1 received, forwarding to mpirun"), log(jobs[1]))
    }

    func testMpirunScriptCheckpointsWithinKillWaitOnScancel() throws {
        try checkScancelCheckpointsWithinKillWait("train-mpirun.sbatch")
    }

    func testMpirunScriptRequeuesAtTimeLimit() throws {
        try checkTimeLimitRequeues("train-mpirun.sbatch", signal: "B:USR1")
    }

    // MARK: - Two hosts

    /// Both scripts on a two-node cluster (`NODES=2`: each slurmd in its own network
    /// namespace and hostname, TCP between them): one rank per host, the same bits as two
    /// ranks on one node.
    func testBothScriptsSpanTwoHostsWithTheSameBits() throws {
        let oneNode = try submit("train.sbatch", run: "one-node", steps: 60)
        try waitUntilFinal(oneNode, "COMPLETED")
        let main = conf
        let twoHosts = Self.startCluster(["NODES": "2"])
        if case .failure(let error) = twoHosts,
           let line = error.description.split(separator: "\n").first(where: { $0.contains("network namespaces unavailable") }) {
            throw XCTSkip(missingCapability("network namespaces", String(line)))
        }
        conf = try twoHosts.get()
        jobs = []
        defer { Self.stopCluster(conf); conf = main; jobs = [] }  // its jobs are gone with it
        for script in ["train.sbatch", "train-mpirun.sbatch"] {
            let id = try submit(script, run: script, steps: 60, nodes: 2, tasks: 1)
            try waitUntilFinal(id, "COMPLETED")
            XCTAssertEqual(try state(id)["NodeList"], "h[0-1]")
            XCTAssertTrue(log(id).contains("over 2 ranks × 1 threads"), log(id))
            try assertSameBits("one-node", script)
        }
    }

    // MARK: - Directives and the local launcher

    /// What makes preemption work lives in the directives; the tests above override the
    /// lead time, so check the scripts' own.
    func testScriptsDeclareSignalRequeueAndAppend() throws {
        for (script, signal) in [("train.sbatch", "USR1@300"), ("train-mpirun.sbatch", "B:USR1@300")] {
            let text = try String(contentsOf: Self.root.appendingPathComponent("launch/slurm/\(script)"), encoding: .utf8)
            for directive in ["#SBATCH --signal=\(signal)\n", "#SBATCH --requeue\n", "#SBATCH --open-mode=append\n"] {
                XCTAssertTrue(text.contains(directive), "\(script) lacks \(directive)")
            }
        }
    }

    func testLocalScriptTrainsOnTwoRanks() throws {
        let r = try Executables.run(Self.root.appendingPathComponent("launch/local.sh").path,
                                    ["2", tiny, "--set", "run_dir=\(dir.path)/run", "--set", "train.steps=6"],
                                    environment: ["SRDIST": Executables.srdist], timeout: 60)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("over 2 ranks"), r.output)
        XCTAssertEqual(try checkpoint("run").step, 6)
    }
}
