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
