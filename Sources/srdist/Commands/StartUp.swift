import Foundation
import Kernels
import Machine
import Support

/// A machine or environment srdist cannot run with; its message is the one line printed.
struct StartUpError: OneLineError {
    let message: String
    init(_ message: String) { self.message = message }
}

/// The start-up check of every verb that computes, run before MPI starts: a forced
/// `SRDIST_SIMD` level is one this CPU runs, and OpenBLAS's kernel suits this CPU (this
/// may execute srdist again with a better one, see `BLASStartup`). Its warnings go to
/// standard error once per job, from the launcher's first rank; the report's
/// `slowerSetting` is the verb's to print when its work begins (`warnSlowerSetting`).
/// - Throws: `StartUpError` when `SRDIST_SIMD` names an unknown level or one beyond this
///   CPU; `BLASCheckError` when no OpenBLAS kernel at hand computes right.
func startUpCheck() throws -> BLASReport {
    if case let .failure(problem) = SIMDLevel.processSelection { throw StartUpError(problem.message) }
    let report = try BLASStartup.prepare()
    if isFirstLaunchedRank() {
        for warning in report.warnings { FileHandle.standardError.write(Data("srdist: \(warning)\n".utf8)) }
    }
    return report
}

/// Prints the report's `slowerSetting` (if any) to standard error on the launcher's first
/// rank: for the verbs that name the kernel, once their inputs have been accepted.
func warnSlowerSetting(_ report: BLASReport) {
    if let line = report.slowerSetting, isFirstLaunchedRank() { FileHandle.standardError.write(Data("srdist: \(line)\n".utf8)) }
}

/// True unless mpirun, srun or another PMI launcher says this is not rank 0 (MPI itself
/// is not running yet).
private func isFirstLaunchedRank() -> Bool {
    let env = ProcessInfo.processInfo.environment
    return ["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"].allSatisfy { (env[$0] ?? "0") == "0" }
}
