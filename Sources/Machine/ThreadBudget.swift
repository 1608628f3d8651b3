import Foundation

/// What a rank's thread count is chosen from (`train.threads_per_rank`).
public enum ThreadsPerRank: Equatable, Sendable {
    /// This many threads on every rank.
    case fixed(Int)
    /// `OMP_NUM_THREADS` when set, else the node's cores over its ranks (the config's 0).
    case environment
    /// The node's cores over the ranks MPI placed on that node, whatever
    /// `OMP_NUM_THREADS` says: a mixed allocation (64- and 48-core nodes, 2 or 3 ranks a
    /// node) uses every core without a per-node setting.
    case auto
}

/// Threads each rank gives OpenBLAS and srdist's parallel loops:
/// 1. `configured` (the config's `threads_per_rank`) when positive;
/// 2. else `OMP_NUM_THREADS` when set to a positive number;
/// 3. else the cores divided among the ranks on this node (`OMPI_COMM_WORLD_LOCAL_SIZE`),
///    at least 1 — so ranks × threads never exceeds the cores.
///
/// - Parameters:
///   - configured: the config value; 0 means "choose".
///   - environment: the process environment (a parameter so tests can pass their own).
///   - cores: cores on this node.
public func threadsPerRank(configured: Int, environment: [String: String] = ProcessInfo.processInfo.environment,
                           cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
    if configured > 0 { return configured }
    if let omp = environment["OMP_NUM_THREADS"].flatMap({ Int($0) }), omp > 0 { return omp }
    let local = environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap { Int($0) } ?? 1
    return max(1, cores / max(local, 1))
}

/// Threads for `setting`: `.fixed` and `.environment` as `threadsPerRank(configured:)`;
/// `.auto` is `cores / ranksOnNode` (at least 1), with `ranksOnNode` counted by MPI
/// when the caller has a communicator, else taken from Open MPI's environment.
public func threadsPerRank(_ setting: ThreadsPerRank, ranksOnNode: Int? = nil,
                           environment: [String: String] = ProcessInfo.processInfo.environment,
                           cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
    switch setting {
    case .fixed(let n): return threadsPerRank(configured: n, environment: environment, cores: cores)
    case .environment: return threadsPerRank(configured: 0, environment: environment, cores: cores)
    case .auto:
        let local = ranksOnNode ?? environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap { Int($0) } ?? 1
        return max(1, cores / max(local, 1))
    }
}

/// How many ranks of a node compute at once in work whose memory grows with the ranks
/// computing (validation's windows): `configured` when positive, else the node's cores
/// over the threads each rank runs, at least 1 — so 16 oversubscribed single-thread
/// ranks on 2 cores hold 2 sets of activations, not 16, at the same speed.
public func computingRanksPerNode(configured: Int, threadsPerRank threads: Int,
                                  cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
    configured > 0 ? configured : max(1, cores / max(threads, 1))
}
