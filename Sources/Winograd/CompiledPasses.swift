import Kernels
import Machine

/// This module's compilation of the passes: Package.swift builds these files once per
/// SIMD level, and the level's define says which one this is.
public let compiledPasses = WinogradPasses(level: compiledLevel, forward: winogradConv2dForward,
                                           backward: winogradConv2dBackward)

#if SRDIST_SIMD_AVX512
let compiledLevel = SIMDLevel.avx512
#elseif SRDIST_SIMD_AVX2
let compiledLevel = SIMDLevel.avx2
#else
let compiledLevel = SIMDLevel.generic
#endif
