import Foundation
import XCTest

/// Result of one `mpirun` of the harness.
struct MPIRunResult {
    let status: Int32
    /// Standard output and error, merged.
    let output: String
    let seconds: Double

    /// Output lines that start with `rank N:`, for rank `rank`.
    func lines(rank: Int) -> [String] {
        output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("rank \(rank): ") }
    }
}

/// Runs `mpirun --oversubscribe -np N mpi-harness ARGS` with a deadline.
///
/// The harness is found next to the test bundle (SwiftPM puts every product of the
/// build in one folder). The child gets this process's environment without the
/// variables Open MPI sets inside an MPI process (this test process may itself be an
/// MPI singleton), plus the run-as-root permission when needed.
func mpirun(_ np: Int, _ args: [String], environment extra: [String: String] = [:], timeout: Double = 120,
            file: StaticString = #filePath, line: UInt = #line) throws -> MPIRunResult {
    // On Linux the bundle URL is the build folder itself; on macOS, the .xctest inside it.
    let bundle = Bundle(for: MPITestCase.self).bundleURL
    let candidates = [bundle, bundle.deletingLastPathComponent()].map { $0.appendingPathComponent("mpi-harness") }
    guard let harness = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw MPIRunError("\(candidates[0].path): mpi-harness not built (run swift build -c release first)")
    }
    var env = ProcessInfo.processInfo.environment.filter { key, _ in
        !["OMPI_", "PMIX_", "OPAL_", "ORTE_"].contains { key.hasPrefix($0) }
    }
    if getuid() == 0 { (env["OMPI_ALLOW_RUN_AS_ROOT"], env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"]) = ("1", "1") }
    env.merge(extra) { $1 }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["mpirun", "--oversubscribe", "-np", String(np)] + extra.keys.sorted().flatMap { ["-x", $0] }
        + [harness.path] + args
    process.environment = env
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    process.standardInput = FileHandle.nullDevice
    // Read on another thread so a full pipe never blocks the child.
    let collected = OutputCollector()
    let reader = Thread { collected.data = pipe.fileHandleForReading.readDataToEndOfFile(); collected.done.signal() }
    let clock = Date()
    try process.run()
    reader.start()
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    if process.isRunning && exited.wait(timeout: .now() + timeout) == .timedOut {
        process.terminate()
        process.waitUntilExit()
        _ = collected.done.wait(timeout: .now() + 10)
        XCTFail("mpirun -np \(np) \(args.joined(separator: " ")) did not finish within \(timeout) s:\n\(collected.text)", file: file, line: line)
        throw MPIRunError("timeout")
    }
    process.waitUntilExit()
    _ = collected.done.wait(timeout: .now() + 10)
    return MPIRunResult(status: process.terminationStatus, output: collected.text, seconds: Date().timeIntervalSince(clock))
}

private final class OutputCollector: @unchecked Sendable {
    var data = Data()
    let done = DispatchSemaphore(value: 0)
    var text: String { String(decoding: data, as: UTF8.self) }
}

struct MPIRunError: Error, LocalizedError {
    let errorDescription: String?
    init(_ message: String) { errorDescription = message }
}

/// Base class of the suites that launch mpirun (and the anchor for finding the bundle).
class MPITestCase: XCTestCase {
    /// Asserts that the run succeeded and every rank printed `<word> ok`.
    func assertOK(_ r: MPIRunResult, np: Int, _ word: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 0, r.output, file: file, line: line)
        for rank in 0..<np {
            XCTAssertTrue(r.lines(rank: rank).contains { $0.contains("\(word) ok") }, "rank \(rank) did not finish \(word):\n\(r.output)",
                          file: file, line: line)
        }
    }
}
