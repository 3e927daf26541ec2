// The kernels of SIMDKernelTemplate.h at 16 lanes for AVX-512F (one zmm register per vector),
// run when `diffuse_cpu_has_avx512f()` (CPUFeatures.c). Elsewhere than x86-64 they are compiled
// without a target attribute (plain vector code) and never selected.
#include "CKernels.h"

#define SIMD_LANES 16
#define SIMD_SUFFIX avx512
#if defined(__x86_64__)
#define SIMD_TARGET __attribute__((target("avx512f,avx2,fma")))
#else
#define SIMD_TARGET
#endif
#include "SIMDKernelTemplate.h"
