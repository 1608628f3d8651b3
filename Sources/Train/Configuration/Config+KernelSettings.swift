import Foundation
import Kernels
import Machine

extension Config {
    /// The kernel settings this config trains with: `train.threads_per_rank` (else
    /// OMP_NUM_THREADS, else this node's cores shared among its ranks),
    /// `train.conv_algorithm`, `train.winograd_tile` and `train.precision`'s engine.
    /// - Parameters:
    ///   - ranksOnNode: the ranks on this node as MPI counts them, for "auto".
    ///   - environment: the process environment (a parameter so tests can pass their own).
    /// - Throws: `PrecisionError` when `train.precision` is bf16 and no bf16 engine runs here.
    public func kernelSettings(ranksOnNode: Int? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KernelSettings {
        KernelSettings(threads: threads(ranksOnNode: ranksOnNode, environment: environment), algorithm: train.convAlgorithm,
                       winogradTile: train.winogradTile, bf16: try train.precision.engine(setting: "train.precision", environment: environment))
    }

    /// The threads per rank alone (`kernelSettings`' `threads`), for the verbs that only
    /// decode data and run no convolution.
    public func threads(ranksOnNode: Int? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        threadsPerRank(train.threadsPerRank, ranksOnNode: ranksOnNode, environment: environment)
    }
}
