import Machine

extension SIMDLevel {
    /// The level this build's loops were compiled for (Package.swift's `-target-cpu`;
    /// any other name than `haswell` is reported as the baseline).
    public static var built: SIMDLevel {
        #if SRDIST_SIMD_AVX2
        .avx2
        #else
        .generic
        #endif
    }
}
