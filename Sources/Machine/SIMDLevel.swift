/// The vector instruction set srdist's own loops (Winograd transforms, epilogues,
/// Adam) are built for: `generic` (the target's baseline, SSE2 on x86-64), `avx2`
/// (AVX2 + FMA, `-target-cpu haswell`, the release default on x86-64) or `avx512`.
public enum SIMDLevel: String, CaseIterable, Comparable, Sendable {
    case generic, avx2, avx512

    public static func < (a: SIMDLevel, b: SIMDLevel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The widest level `cpu` runs.
    public init(cpu: CPUFeatures) {
        self = cpu.hasAVX512 ? .avx512 : cpu.hasAVX2 ? .avx2 : .generic
    }

    /// Why a build for this level cannot run on `cpu` (it would die of an illegal
    /// instruction in the first convolution), nil when it can.
    public func unsupported(on cpu: CPUFeatures) -> String? {
        guard self > SIMDLevel(cpu: cpu) else { return nil }
        return "this srdist was built for \(rawValue) (Package.swift's -target-cpu) but this \(cpu) lacks it; "
            + "rebuild with SRDIST_TARGET_CPU=generic swift build -c release"
    }
}
