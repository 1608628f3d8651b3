import Foundation

/// Paths and runs of the package's executables, which `swift build` places next to
/// the test bundle.
public enum Executables {
    public static var directory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    public static var srdist: String { directory.appendingPathComponent("srdist").path }

    /// Runs `path` with `arguments`, waits (killing it after `timeout` seconds) and
    /// returns the exit status and the combined output.
    @discardableResult
    public static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:],
                           timeout: Double = 300) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        p.environment = childEnvironment.merging(environment) { $1 }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("srdist-test-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        defer { try? FileManager.default.removeItem(at: out) }
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        try handle.close()
        return (p.terminationStatus, (try? String(contentsOf: out, encoding: .utf8)) ?? "")
    }

    /// Starts `path ARGUMENTS` in the background (environment: `childEnvironment` and
    /// `environment`), stdout and stderr into the file `log`, and returns once the log
    /// contains `text`, the process has ended or `timeout` s have passed.
    public static func startLogged(_ path: String, _ arguments: [String], environment: [String: String] = [:],
                                   log: URL, until text: String, timeout: Double = 60) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        p.environment = childEnvironment.merging(environment) { $1 }
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: log.path]) }
        let handle = try FileHandle(forWritingTo: log)
        (p.standardOutput, p.standardError) = (handle, handle)
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, p.isRunning, !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains(text) { usleep(20_000) }
        return p
    }

    /// This process's environment without the variables Open MPI sets inside an MPI
    /// process (a test process may itself be an MPI singleton, and a child that inherits
    /// them would try to join its job), plus mpirun's run-as-root consent when needed.
    public static var childEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { key, _ in
            !["OMPI_", "PMIX_", "OPAL_", "ORTE_"].contains { key.hasPrefix($0) }
        }
        if getuid() == 0 { (env["OMPI_ALLOW_RUN_AS_ROOT"], env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"]) = ("1", "1") }
        return env
    }

    /// `mpirun --oversubscribe -np N srdist ARGS` (each rank with `threads` threads).
    @discardableResult
    public static func mpirunSrdist(_ np: Int, _ arguments: [String], threads: Int = 1, environment: [String: String] = [:],
                                    timeout: Double = 300) throws -> (status: Int32, output: String) {
        let vars = ["OMP_NUM_THREADS": String(threads)].merging(environment) { $1 }
        return try run("/usr/bin/env", ["mpirun", "--oversubscribe", "-np", String(np)] + vars.keys.sorted().flatMap { ["-x", $0] }
                       + [srdist] + arguments, environment: vars, timeout: timeout)
    }

    /// The repository's root (for configs/ and fixtures).
    public static func repositoryRoot(file: String = #filePath) -> URL {
        var url = URL(fileURLWithPath: file).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }
}
