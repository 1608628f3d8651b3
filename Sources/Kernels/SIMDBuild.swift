import Machine

extension SIMDLevel {
    /// The level this build's loops were compiled for (Package.swift's `-target-cpu`;
    /// a CPU name Package.swift does not list counts as the baseline).
    public static var built: SIMDLevel {
        #if SRDIST_SIMD_AVX512
        .avx512
        #elseif SRDIST_SIMD_AVX2
        .avx2
        #else
        .generic
        #endif
    }
}
