#include "CKernels.h"

int diffuse_cpu_has_avx2_fma(void) {
#if defined(__x86_64__)
    // libgcc / compiler-rt report AVX features only when the OS saves the YMM state (XGETBV).
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

#if defined(__x86_64__)
#include <cpuid.h>

/// XCR0 (the state components the OS saves on a context switch), by XGETBV; 0 without OSXSAVE.
static unsigned long long diffuse_xcr0(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return 0;   // CPUID.1:ECX.OSXSAVE
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

/// AVX-512 state in XCR0: SSE (bit 1), AVX (2), opmask (5), ZMM_Hi256 (6), Hi16_ZMM (7).
static int diffuse_avx512_state(void) { return (diffuse_xcr0() & 0xE6) == 0xE6; }
#endif

int diffuse_cpu_has_avx512f(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && diffuse_avx512_state();
#else
    return 0;
#endif
}

int diffuse_cpu_bf16_flags(void) {
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    unsigned long long xcr0 = diffuse_xcr0();
    int avx512State = diffuse_avx512_state();
    // AMX state: XTILECFG (bit 17) and XTILEDATA (bit 18).
    int amxState = (xcr0 & (3ull << 17)) == (3ull << 17);
    __cpuid_count(7, 0, a, b, c, d);
    int avx512f = (b >> 16) & 1, amxBF16 = (d >> 22) & 1, amxTile = (d >> 24) & 1;
    unsigned maxSubleaf = a;
    int avx512BF16 = 0;
    if (maxSubleaf >= 1) {
        __cpuid_count(7, 1, a, b, c, d);
        avx512BF16 = (a >> 5) & 1;
    }
    int flags = 0;
    if (avx512f && avx512BF16 && avx512State) flags |= 1;
    if (amxBF16 && amxTile && amxState) flags |= 2;
    return flags;
#else
    return 0;
#endif
}
