import Foundation

/// Runs `CheckpointIsolation.child`: the file is read by `executable inspect FILE`
/// (output discarded) before this process hands it to libhdf5, so that a file on which
/// HDF5 crashes or hangs costs a child, not a training run or its node's memory.
public enum CheckpointSandbox {
    /// Set in the child, so that its own reads stay in process; its value is the most
    /// memory (bytes) the child may allocate.
    public static let childVariable = "SRDIST_CHECKPOINT_PROBE"

    /// In the child: caps the data it may allocate (RLIMIT_DATA: heap and private maps)
    /// at what the parent set, so a file that would make libhdf5 allocate without bound
    /// fails an allocation instead of filling the node's memory. No-op elsewhere.
    public static func capChildMemory() {
        guard let text = ProcessInfo.processInfo.environment[childVariable], let bytes = rlim_t(text) else { return }
        var limit = rlimit(rlim_cur: bytes, rlim_max: bytes)
        setrlimit(Int32(RLIMIT_DATA.rawValue), &limit)
    }

    /// What `executable` (normally this program, `/proc/self/exe`) should use: a child
    /// unless this process is itself one.
    public static func isolation(executable: String = "/proc/self/exe") -> CheckpointIsolation {
        ProcessInfo.processInfo.environment[childVariable] == nil ? .child(executable: executable) : .inProcess
    }

    /// User plus system CPU seconds of process `pid` so far (0 once it is gone).
    static func cpuSeconds(of pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        // After the command name: state, ppid, … utime and stime are the 12th and 13th.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Throws unless a child reads `path` whole within 2 s of CPU time plus 1 s per 50 MB
    /// of file (a valid checkpoint of the paper's EDSR, 0.5 GB with Adam state, reads in a
    /// few seconds; a small one in a fraction of one) and 30 s + 4× that of wall time: with
    /// the child's own error line when it refused the file, else saying how HDF5 failed.
    static func probe(_ path: String, bytes size: Int, executable: String, limits: CheckpointLimits) throws {
        let seconds = 2 + Double(size) / 50e6
        // A file, not a pipe: a sanitizer's report can outgrow a pipe's buffer and
        // stall the child.
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("srdist-probe-\(UUID().uuidString).err")
        guard FileManager.default.createFile(atPath: errors.path, contents: nil), let sink = try? FileHandle(forWritingTo: errors) else {
            throw CheckpointError("\(path): cannot create \(errors.path) for the checkpoint check")
        }
        defer { try? sink.close(); unlink(errors.path) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = ["inspect", path, "--allow-non-finite", "--max-parameters", String(limits.maxParameters)]
        // The file's bytes, libhdf5's copy of them and the tensors (no larger than the
        // file: compression is refused), plus room for the program itself.
        let memory = 4 * size + (1 << 30)
        p.environment = ProcessInfo.processInfo.environment.merging([childVariable: String(memory)]) { $1 }
        (p.standardOutput, p.standardError) = (FileHandle.nullDevice, sink)
        do { try p.run() } catch {
            throw CheckpointError("\(path): cannot start \(executable) to check the file first (\(error.localizedDescription))")
        }
        // HDF5's endless loops spin: the child's CPU time is the deadline, so a loaded
        // node (other jobs, ranks spinning in a collective) does not fail a good file.
        // A child that sleeps instead is stopped by the wall clock, with room for load.
        let began = Date()
        while p.isRunning && cpuSeconds(of: p.processIdentifier) < seconds && Date().timeIntervalSince(began) < 30 + 4 * seconds {
            usleep(10_000)
        }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            throw CheckpointError("\(path): HDF5 did not finish reading it in \(Int(seconds)) s of CPU time — the file is damaged or crafted")
        }
        if p.terminationReason == .uncaughtSignal {
            throw CheckpointError("\(path): HDF5 crashed reading it (signal \(p.terminationStatus)) — the file is damaged or crafted")
        }
        guard p.terminationStatus != 0 else { return }
        // The child's one line ("Error: …" from the argument parser) when it printed one.
        let text = String(decoding: (try? Data(contentsOf: errors).prefix(1 << 16)) ?? Data(), as: UTF8.self)
        if let line = text.split(separator: "\n").last, line.hasPrefix("Error: \(path)") {
            throw CheckpointError(String(line.dropFirst("Error: ".count)))
        }
        throw CheckpointError("\(path): HDF5 failed reading it (exit status \(p.terminationStatus)) — the file is damaged or crafted")
    }
}
