#include "ccpuid.h"
#include <string.h>

#if defined(__linux__) && defined(__x86_64__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static bool leaf(unsigned level, unsigned sub, unsigned r[4]) {
    if (__get_cpuid_max(0, 0) < level) return false;
    __cpuid_count(level, sub, r[0], r[1], r[2], r[3]);
    return true;
}

// XCR0: which register states the OS saves (bits 1-2 SSE/AVX, 5-7 AVX-512, 17-18 AMX
// tile configuration and tile data).
static unsigned long long xcr0(void) {
    unsigned r[4] = {0};
    if (!leaf(1, 0, r) || !(r[2] & (1u << 27))) return 0;  // no OSXSAVE
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

bool ccpuid_has(ccpuid_feature feature) {
    unsigned l1[4] = {0}, l7[4] = {0}, l71[4] = {0};
    leaf(1, 0, l1);
    leaf(7, 0, l7);
    if (l7[0] >= 1) leaf(7, 1, l71);
    unsigned long long x = xcr0();
    bool avxState = (x & 0x6) == 0x6;
    bool avx512State = avxState && (x & 0xe0) == 0xe0;
    bool amxState = (x & 0x60000) == 0x60000;
    switch (feature) {
    case CCPUID_SSE3: return l1[2] & 1u;
    case CCPUID_AVX: return avxState && (l1[2] & (1u << 28));
    case CCPUID_FMA: return avxState && (l1[2] & (1u << 12));
    case CCPUID_AVX2: return avxState && (l7[1] & (1u << 5));
    case CCPUID_AVX512F: return avx512State && (l7[1] & (1u << 16));
    case CCPUID_AVX512DQ: return avx512State && (l7[1] & (1u << 17));
    case CCPUID_AVX512CD: return avx512State && (l7[1] & (1u << 28));
    case CCPUID_AVX512BW: return avx512State && (l7[1] & (1u << 30));
    case CCPUID_AVX512VL: return avx512State && (l7[1] & (1u << 31));
    case CCPUID_AVX512VNNI: return avx512State && (l7[2] & (1u << 11));
    case CCPUID_AVX512BF16: return avx512State && (l71[0] & (1u << 5));
    case CCPUID_AVX512FP16: return avx512State && (l7[3] & (1u << 23));
    case CCPUID_AMX_TILE: return amxState && (l7[3] & (1u << 24));
    case CCPUID_AMX_BF16: return amxState && (l7[3] & (1u << 22));
    }
    return false;
}

int ccpuid_vendor(void) {
    unsigned r[4] = {0};
    if (!leaf(0, 0, r)) return 0;
    char name[13];
    memcpy(name, &r[1], 4);
    memcpy(name + 4, &r[3], 4);
    memcpy(name + 8, &r[2], 4);
    name[12] = 0;
    if (strcmp(name, "GenuineIntel") == 0) return 1;
    if (strcmp(name, "AuthenticAMD") == 0 || strcmp(name, "HygonGenuine") == 0) return 2;
    return 0;
}

static unsigned signature(void) {
    unsigned r[4] = {0};
    return leaf(1, 0, r) ? r[0] : 0;
}

int ccpuid_family(void) {
    unsigned s = signature(), family = (s >> 8) & 0xf;
    return (int)(family == 0xf ? family + ((s >> 20) & 0xff) : family);
}

int ccpuid_model(void) {
    unsigned s = signature(), family = (s >> 8) & 0xf, model = (s >> 4) & 0xf;
    return (int)(family == 0x6 || family == 0xf ? model + (((s >> 16) & 0xf) << 4) : model);
}

bool ccpuid_request_amx(void) {
#if defined(__linux__) && defined(__x86_64__)
    enum { ARCH_REQ_XCOMP_PERM = 0x1023, XFEATURE_XTILEDATA = 18 };
    return syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
#else
    return false;
#endif
}

#else

bool ccpuid_request_amx(void) { return false; }
bool ccpuid_has(ccpuid_feature feature) { (void)feature; return false; }
int ccpuid_vendor(void) { return 0; }
int ccpuid_family(void) { return 0; }
int ccpuid_model(void) { return 0; }

#endif
