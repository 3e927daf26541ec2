// Blocked sums (as Swift's BlockSums): 8 Float32 lanes over at most 512 elements, each
// block's total then added in Float64, so the result is close to a Float64 sum.
#include "CKernels.h"
#include "AVX2Math.h"

#if defined(__x86_64__)

enum { BLOCK = 512 };

DIFFUSE_AVX2 double diffuse_sum_avx2(const float *x, long n) {
    double total = 0;
    long i = 0;
    while (i < n) {
        long end = i + BLOCK < n ? i + BLOCK : n;
        __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
        for (; i + 16 <= end; i += 16) {
            s0 = _mm256_add_ps(s0, _mm256_loadu_ps(x + i));
            s1 = _mm256_add_ps(s1, _mm256_loadu_ps(x + i + 8));
        }
        for (; i + 8 <= end; i += 8) s0 = _mm256_add_ps(s0, _mm256_loadu_ps(x + i));
        if (i < end) {
            s1 = _mm256_add_ps(s1, _mm256_maskload_ps(x + i, diffuse_tail_mask(end - i)));
            i = end;
        }
        total += diffuse_hsum(_mm256_add_ps(s0, s1));
    }
    return total;
}

DIFFUSE_AVX2 void diffuse_shifted_moments_avx2(const float *x, long n, float shift, double *sum1, double *sum2) {
    const __m256 vshift = _mm256_set1_ps(shift);
    double s1 = 0, s2 = 0;
    long i = 0;
    while (i < n) {
        long end = i + BLOCK < n ? i + BLOCK : n;
        __m256 v1 = _mm256_setzero_ps(), v2 = _mm256_setzero_ps();
        for (; i + 8 <= end; i += 8) {
            __m256 v = _mm256_sub_ps(_mm256_loadu_ps(x + i), vshift);
            v1 = _mm256_add_ps(v1, v);
            v2 = _mm256_fmadd_ps(v, v, v2);
        }
        if (i < end) {
            __m256i mask = diffuse_tail_mask(end - i);
            // Masked lanes load 0; zero their x - shift too.
            __m256 v = _mm256_and_ps(_mm256_sub_ps(_mm256_maskload_ps(x + i, mask), vshift), _mm256_castsi256_ps(mask));
            v1 = _mm256_add_ps(v1, v);
            v2 = _mm256_fmadd_ps(v, v, v2);
            i = end;
        }
        s1 += diffuse_hsum(v1);
        s2 += diffuse_hsum(v2);
    }
    *sum1 = s1;
    *sum2 = s2;
}

#else

// Not x86-64: unreachable (diffuse_cpu_has_avx2_fma() is 0); defined so that the module links.
double diffuse_sum_avx2(const float *x, long n) { __builtin_trap(); }
void diffuse_shifted_moments_avx2(const float *x, long n, float shift, double *s1, double *s2) { __builtin_trap(); }

#endif
