import Foundation
import Support

/// Which kernel OpenBLAS runs, who chose it and why: what the start line, `srdist bench`
/// and checkpoints record.
public struct BLASReport: Equatable, Sendable {
    /// Who picked the kernel in use.
    public enum Origin: String, Sendable {
        /// OpenBLAS's own detection: as good as srdist knows for this CPU, or no better one passed.
        case openBLAS = "OpenBLAS's choice"
        /// `OPENBLAS_CORETYPE` from the user's environment.
        case user = "OPENBLAS_CORETYPE"
        /// srdist set `OPENBLAS_CORETYPE` at start-up and verified the kernel.
        case srdist = "chosen by srdist"
        /// `SRDIST_BLAS_CHECK=0`: not looked at.
        case unchecked = "not checked"
    }

    public var library: BLASLibrary
    public var origin: Origin
    /// Why, one clause (empty when there is nothing to say).
    public var reason: String
    /// Lines for standard error at start-up: kernels rejected, a failed restart.
    public var warnings: [String]
    /// The user's `OPENBLAS_CORETYPE` is slower than this CPU allows: a warning for the
    /// verbs that name the kernel (train's start line, bench). It waits for the work to
    /// begin, so a refused input still gets its one line alone, and stays out of short
    /// verbs, since clusters set the variable on purpose for every job.
    public var slowerSetting: String?

    public init(library: BLASLibrary, origin: Origin, reason: String, warnings: [String], slowerSetting: String? = nil) {
        (self.library, self.origin, self.reason, self.warnings) = (library, origin, reason, warnings)
        self.slowerSetting = slowerSetting
    }

    /// The loaded library as it is, without the start-up check (tests, library callers).
    public static var unchecked: BLASReport { BLASReport(library: .loaded, origin: .unchecked, reason: "", warnings: []) }

    /// "OpenBLAS 0.3.21 SkylakeX (chosen by srdist: …)".
    public var summary: String { "\(library) (\(origin.rawValue)\(reason.isEmpty ? "" : ": " + reason))" }
}

/// The kernel in use computes wrong results and nothing can replace it; the message is
/// the one line printed.
public struct BLASCheckError: OneLineError {
    public let message: String
}

/// The start-up BLAS check: OpenBLAS reads `OPENBLAS_CORETYPE` only when it loads,
/// so a better kernel means executing srdist again (`execve` of /proc/self/exe with the
/// same arguments keeps the process id, so mpirun and srun notice nothing).
///
/// Environment: `SRDIST_BLAS_CHECK=0` switches the check off; `OPENBLAS_CORETYPE` set by
/// the user is kept. srdist marks its own restarts with `SRDIST_BLAS_CHOSEN` (the core
/// type it set), `SRDIST_BLAS_REJECTED` (core types that failed their check) and
/// `SRDIST_BLAS_DEFAULT` (what OpenBLAS had picked), which also bound the restarts.
/// `SRDIST_TEST_BLAS_WRONG=Cooperlake,…` (tests only) makes those core types fail the check.
public enum BLASStartup {
    static let chosenKey = "SRDIST_BLAS_CHOSEN", rejectedKey = "SRDIST_BLAS_REJECTED", defaultKey = "SRDIST_BLAS_DEFAULT"

    /// Checks the kernel and returns the report, or does not return when it restarts srdist.
    /// Whichever kernel is to run (OpenBLAS's, the user's or srdist's pick) first passes
    /// `sgemmMatchesPlainLoop`, a few milliseconds.
    /// - Parameters:
    ///   - environment: the process environment (restarts change the real one).
    ///   - arguments: argv, passed unchanged to the restart.
    /// - Throws: `BLASCheckError` when the user's core type, or every kernel srdist could
    ///   try, fails the check.
    public static func prepare(environment: [String: String] = ProcessInfo.processInfo.environment,
                               arguments: [String] = CommandLine.arguments,
                               cpu: CPUFeatures = .current) throws -> BLASReport {
        let library = BLASLibrary.loaded
        let rejected = Rejection.parse(environment[rejectedKey] ?? "")
        var warnings = rejected.map { "warning: OpenBLAS core type \($0.coreType) rejected: \($0.why)" }
        let openBLASDefault = environment[defaultKey] ?? library.kernel
        let picked = "OpenBLAS picked \(openBLASDefault) on this \(cpu)"
        // Test switch: core types whose sgemm check is to fail, to exercise the fallback.
        let failing = (environment["SRDIST_TEST_BLAS_WRONG"] ?? "").lowercased().split(separator: ",").map(String.init)

        let wrong = "its sgemm differs from a plain loop"
        func computesRight() -> Bool { sgemmMatchesPlainLoop() && !failing.contains(library.kernel.lowercased()) }

        if let chosen = environment[chosenKey] {
            // This process is srdist's restart: trust the kernel only once checked.
            let problem = library.kernel.lowercased() != chosen.lowercased()
                ? "this OpenBLAS has no such kernel (it runs \(library.kernel))"
                : computesRight() ? nil : wrong
            guard let problem else {
                return BLASReport(library: library, origin: .srdist,
                                  reason: "\(picked); sgemm verified", warnings: warnings)
            }
            restart(arguments, coreType: nil, rejected: rejected + [Rejection(coreType: chosen, why: problem)], openBLASDefault: openBLASDefault)
            // The kernel in use is unchecked or wrong: not run for want of a restart.
            throw BLASCheckError(message: "OPENBLAS_CORETYPE=\(chosen) set by srdist was rejected (\(problem)), and srdist could not "
                                 + "restart without it (\(String(cString: strerror(errno))))")
        }

        let user = environment["OPENBLAS_CORETYPE"]
        var action = chooseBLASKernel(cpu: cpu, kernel: library.kernel, userCoreType: user,
                                      rejected: rejected.map(\.coreType), enabled: environment["SRDIST_BLAS_CHECK"] != "0")
        let inUseFails = action.runsKernelInUse && !computesRight()
        let rejectedNow = rejected + (inUseFails ? [Rejection(coreType: library.kernel, why: wrong)] : [])
        if inUseFails {
            action = replaceFailingKernel(cpu: cpu, kernel: library.kernel, userCoreType: user, rejected: rejected.map(\.coreType))
        }
        switch action {
        case .disabled:
            return BLASReport(library: library, origin: .unchecked, reason: "SRDIST_BLAS_CHECK=0", warnings: warnings)
        case .keep:
            return BLASReport(library: library, origin: .openBLAS, reason: "sgemm verified", warnings: warnings)
        case .keepUserSetting(let better):
            let slower = better.map {
                "warning: OPENBLAS_CORETYPE=\(user!) kept (\(library.kernel) kernels, \(levelName(library.kernel))); this \(cpu) could run "
                    + "\($0) (\(levelName($0))), faster: unset OPENBLAS_CORETYPE to let srdist choose and check a kernel"
            }
            return BLASReport(library: library, origin: .user, reason: "set in the environment; sgemm verified", warnings: warnings, slowerSetting: slower)
        case .keepAfterRejections:
            warnings.append("warning: no faster OpenBLAS kernel passed its check; running \(library.kernel) (OpenBLAS's choice)")
            return BLASReport(library: library, origin: .openBLAS, reason: "faster kernels rejected; sgemm verified", warnings: warnings)
        case .refuseUserSetting:
            throw BLASCheckError(message: "OPENBLAS_CORETYPE=\(user!): OpenBLAS's \(library.kernel) kernel computes sgemm wrong on this "
                                 + "\(cpu) (it differs from a plain loop); unset it to let srdist pick and check a kernel, or set another")
        case .noCorrectKernel:
            throw BLASCheckError(message: "no OpenBLAS kernel computes sgemm right on this \(cpu) (rejected: "
                                 + rejectedNow.map(\.coreType).joined(separator: ", ") + "); SRDIST_BLAS_CHECK=0 runs OpenBLAS's choice unchecked")
        case .reexec(let coreType):
            restart(arguments, coreType: coreType, rejected: rejectedNow, openBLASDefault: openBLASDefault)
            // A kernel that just failed its check is not run for want of a restart.
            if inUseFails {
                throw BLASCheckError(message: "OpenBLAS's \(library.kernel) kernel computes sgemm wrong on this \(cpu), and srdist could not "
                                     + "restart with OPENBLAS_CORETYPE=\(coreType) (\(String(cString: strerror(errno))))")
            }
            warnings.append("warning: could not restart srdist with OPENBLAS_CORETYPE=\(coreType) (\(String(cString: strerror(errno)))); "
                            + "running \(library.kernel)")
            return BLASReport(library: library, origin: .openBLAS, reason: picked, warnings: warnings)
        }
    }

    /// "AVX2" for "Haswell"; "?" for a core name srdist does not know.
    static func levelName(_ core: String) -> String { KernelLevel(openBLASCore: core)?.description ?? "?" }

    /// Replaces this process by srdist with `OPENBLAS_CORETYPE=coreType` (nil: unset);
    /// returns only when execv fails.
    static func restart(_ arguments: [String], coreType: String?, rejected: [Rejection], openBLASDefault: String) {
        if let coreType {
            setenv("OPENBLAS_CORETYPE", coreType, 1)
            setenv(chosenKey, coreType, 1)
        } else {
            unsetenv("OPENBLAS_CORETYPE")
            unsetenv(chosenKey)
        }
        setenv(rejectedKey, Rejection.format(rejected), 1)
        setenv(defaultKey, openBLASDefault, 1)
        var argv = arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &argv)
        argv.forEach { free($0) }
    }

    /// A core type srdist tried and rejected, carried to the next restart.
    struct Rejection: Equatable {
        var coreType: String
        var why: String

        static func parse(_ text: String) -> [Rejection] {
            text.split(separator: ";").compactMap { item in
                let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                return parts.count == 2 ? Rejection(coreType: parts[0], why: parts[1]) : nil
            }
        }

        static func format(_ list: [Rejection]) -> String { list.map { "\($0.coreType)=\($0.why)" }.joined(separator: ";") }
    }
}
