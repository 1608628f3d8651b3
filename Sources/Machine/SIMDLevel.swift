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
}
