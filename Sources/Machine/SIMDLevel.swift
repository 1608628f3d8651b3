import Foundation
import Support

/// The vector instruction set srdist's Winograd loops run with: `generic` (the target's
/// baseline, SSE2 on x86-64), `avx2` (AVX2 + FMA, LLVM's `haswell`) or `avx512` (the
/// Skylake-SP subset, LLVM's `skylake-avx512`). Package.swift compiles those loops once
/// per level into one binary; the level is picked when the process starts.
public enum SIMDLevel: String, CaseIterable, Comparable, Sendable {
    case generic, avx2, avx512

    public static func < (a: SIMDLevel, b: SIMDLevel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The widest level `cpu` runs.
    public init(cpu: CPUFeatures) {
        self = cpu.hasAVX512 ? .avx512 : cpu.hasAVX2 ? .avx2 : .generic
    }

    /// The environment variable that forces a level (`generic`, `avx2`, `avx512`).
    public static let environmentKey = "SRDIST_SIMD"

    /// The level for a process on `cpu` whose environment has `forced` as
    /// `SRDIST_SIMD`: the CPU's widest unless a level is forced; a forced level the CPU
    /// lacks or an unknown name is an error (its message is the one line printed),
    /// because running it would die of an illegal instruction or silently measure the
    /// wrong thing.
    public static func select(forced: String?, cpu: CPUFeatures) -> Result<SIMDLevel, SIMDLevelError> {
        guard let forced, !forced.isEmpty else { return .success(SIMDLevel(cpu: cpu)) }
        guard let level = SIMDLevel(rawValue: forced.lowercased()) else {
            return .failure(SIMDLevelError(message: "\(environmentKey)=\(forced) is not a SIMD level; "
                + "use one of \(allCases.map(\.rawValue).joined(separator: ", ")) or leave it unset"))
        }
        guard level <= SIMDLevel(cpu: cpu) else {
            return .failure(SIMDLevelError(message: "\(environmentKey)=\(forced), but this \(cpu) lacks it; "
                + "the widest it runs is \(SIMDLevel(cpu: cpu).rawValue)"))
        }
        return .success(level)
    }

    /// `select` on this CPU and this process's environment, read once like
    /// `CPUFeatures.current`: srdist's start-up check reports a failure and exits before
    /// anything computes.
    public static let processSelection = select(forced: ProcessInfo.processInfo.environment[environmentKey], cpu: .current)

    /// This process's level: `processSelection`, or the CPU's widest when that failed.
    public static var process: SIMDLevel { (try? processSelection.get()) ?? SIMDLevel(cpu: .current) }

    /// Every level this CPU runs, narrowest first: what the kernel tests cover.
    public static func supported(on cpu: CPUFeatures) -> [SIMDLevel] {
        allCases.filter { $0 <= SIMDLevel(cpu: cpu) }
    }
}

/// A `SRDIST_SIMD` value srdist cannot honour.
public struct SIMDLevelError: OneLineError, Equatable {
    /// The one line printed, naming the variable, its value and the CPU.
    public let message: String
}
