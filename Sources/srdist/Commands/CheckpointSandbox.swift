import Checkpoint
import Foundation

/// libhdf5 1.10 itself crashes or loops on some crafted files (bench/fuzz.sh found
/// invalid frees, overflows and endless loops in its parser, Tests/Fuzz/Findings/libhdf5),
/// before srdist's checks can see anything. So `eval`, `upscale` and `inspect` first
/// read a checkpoint in a child srdist (`inspect`, output discarded): if HDF5 kills or
/// hangs the child, this process refuses the file with one line instead of following it.
enum CheckpointSandbox {
    /// Set in the child so that its own `inspect` does not probe again.
    static let childVariable = "SRDIST_CHECKPOINT_PROBE"

    /// Throws when reading `argument` (a file, pointer or run folder) in a child process
    /// crashes it or takes longer than 5 s plus 1 s per 50 MB of file (a valid
    /// checkpoint of the paper's EDSR, 0.5 GB with Adam state, reads in a few seconds).
    static func probe(_ argument: String, limits: CheckpointLimits) throws {
        guard ProcessInfo.processInfo.environment[childVariable] == nil,
              let path = try? CheckpointStore.locate(argument), FileManager.default.isReadableFile(atPath: path) else { return }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        p.arguments = ["inspect", path, "--allow-non-finite", "--max-parameters", String(limits.maxParameters)]
        p.environment = ProcessInfo.processInfo.environment.merging([childVariable: "1"]) { $1 }
        (p.standardOutput, p.standardError) = (FileHandle.nullDevice, FileHandle.nullDevice)
        do { try p.run() } catch { return }   // no child (no /proc): the checks in this process still apply
        let deadline = Date().addingTimeInterval(5 + Double(size) / 50e6)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            throw CheckpointError("\(path): HDF5 did not finish reading it in \(Int(5 + Double(size) / 50e6)) s — the file is damaged or crafted")
        }
        if p.terminationReason == .uncaughtSignal {
            throw CheckpointError("\(path): HDF5 crashed reading it (signal \(p.terminationStatus)) — the file is damaged or crafted")
        }
    }
}
