#ifndef CCPUID_H
#define CCPUID_H

// CPUID and XGETBV through the compiler's <cpuid.h>: Swift cannot run these
// instructions itself. Every function is safe to call on any CPU; off x86-64 they
// report nothing.

#include <stdbool.h>

/// Instruction-set features srdist's start-up check and SIMD dispatch look at.
typedef enum {
    CCPUID_SSE3,
    CCPUID_AVX,
    CCPUID_FMA,
    CCPUID_AVX2,
    CCPUID_AVX512F,
    CCPUID_AVX512DQ,
    CCPUID_AVX512CD,
    CCPUID_AVX512BW,
    CCPUID_AVX512VL,
    CCPUID_AVX512VNNI,
    CCPUID_AVX512BF16,
    CCPUID_AVX512FP16,
    CCPUID_AMX_TILE,
    CCPUID_AMX_BF16,
} ccpuid_feature;

/// True when the CPU has `feature` and, for AVX and AVX-512, the operating system saves
/// the wider registers on a context switch (XCR0), i.e. the instructions are usable.
bool ccpuid_has(ccpuid_feature feature);

/// 0 unknown, 1 Intel ("GenuineIntel"), 2 AMD ("AuthenticAMD", "HygonGenuine").
int ccpuid_vendor(void);

/// Display family and model (family 6 model 207 = Emerald Rapids), 0 when unknown.
int ccpuid_family(void);
int ccpuid_model(void);

/// Asks Linux for permission to use the AMX tile data state (arch_prctl
/// ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA): since Linux 5.16 a process must request it
/// before its first tile instruction, which otherwise dies of SIGILL even where CPUID and
/// XCR0 report AMX. True when granted; false off Linux x86-64 or when refused.
bool ccpuid_request_amx(void);

#endif
