import Foundation
import Kernels
import Machine

extension Config {
    /// The kernel settings this config trains with: `train.threads_per_rank` (else
    /// OMP_NUM_THREADS, else this node's cores shared among its ranks),
    /// `train.conv_algorithm` and `train.winograd_tile`.
    /// - Parameter environment: the process environment (a parameter so tests can pass their own).
    public func kernelSettings(environment: [String: String] = ProcessInfo.processInfo.environment) -> KernelSettings {
        KernelSettings(threads: threadsPerRank(configured: train.threadsPerRank, environment: environment),
                       algorithm: train.convAlgorithm, winogradTile: train.winogradTile)
    }
}
