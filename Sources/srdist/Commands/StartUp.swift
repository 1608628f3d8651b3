import Foundation
import Machine

/// The start-up check of every verb that computes, run before MPI starts: OpenBLAS's
/// kernel against this CPU (this may execute srdist again with a better one, see
/// `BLASStartup`). Its warnings go to standard error once per job, from the launcher's
/// first rank.
func checkBLAS() -> BLASReport {
    let report = BLASStartup.prepare()
    if isFirstLaunchedRank() {
        for warning in report.warnings { FileHandle.standardError.write(Data("srdist: \(warning)\n".utf8)) }
    }
    return report
}

/// True unless mpirun, srun or another PMI launcher says this is not rank 0 (MPI itself
/// is not running yet).
private func isFirstLaunchedRank() -> Bool {
    let env = ProcessInfo.processInfo.environment
    return ["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"].allSatisfy { (env[$0] ?? "0") == "0" }
}
