// The kernels of SIMDKernelTemplate.h at 16 lanes compiled for AVX2 + FMA (each vector a pair
// of ymm registers): the AVX-512 kernels' logic (tails, blocks, reductions at 16 lanes), run and
// tested on every x86-64 machine with AVX2, whether or not it has AVX-512. Not selected in
// training; elsewhere than x86-64 compiled without a target attribute.
#include "CKernels.h"

#define SIMD_LANES 16
#define SIMD_SUFFIX w16
#if defined(__x86_64__)
#define SIMD_TARGET __attribute__((target("avx2,fma")))
#else
#define SIMD_TARGET
#endif
#include "SIMDKernelTemplate.h"
