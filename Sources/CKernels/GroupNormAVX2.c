// Group normalisation (Wu & He, ECCV 2018) fused with SiLU, one channel row at a time; the
// formulas and their derivation are in Swift's GroupNormKernel, which calls these rows.
#include "CKernels.h"
#include "AVX2Math.h"

#if defined(__x86_64__)

enum { BLOCK = 512 };   // elements per Float32 partial sum, as Swift's BlockSums

DIFFUSE_AVX2 void diffuse_groupnorm_row_forward_avx2(const float *x, float *y, long n,
                                                     float mu, float scale, float shift, int silu) {
    const __m256 vmu = _mm256_set1_ps(mu), vscale = _mm256_set1_ps(scale), vshift = _mm256_set1_ps(shift);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 z = _mm256_fmadd_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmu), vscale, vshift);
        if (silu) z = _mm256_mul_ps(z, diffuse_sigmoid(z));
        _mm256_storeu_ps(y + i, z);
    }
    if (i < n) {
        __m256i mask = diffuse_tail_mask(n - i);
        __m256 z = _mm256_fmadd_ps(_mm256_sub_ps(_mm256_maskload_ps(x + i, mask), vmu), vscale, vshift);
        if (silu) z = _mm256_mul_ps(z, diffuse_sigmoid(z));
        _mm256_maskstore_ps(y + i, mask, z);
    }
}

/// dz (SiLU's chain rule, or dy itself) and the two sums of one 8-lane group, accumulated.
static inline DIFFUSE_AVX2 void backward_lanes(__m256 xv, __m256 dyv, __m256 vmu, __m256 vrw, __m256 vbias,
                                               int silu, __m256 *dzOut, __m256 *sdz, __m256 *sdzc) {
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 centred = _mm256_sub_ps(xv, vmu);
    __m256 dz = dyv;
    if (silu) {
        __m256 z = _mm256_fmadd_ps(centred, vrw, vbias);
        __m256 s = diffuse_sigmoid(z);
        // dy s (1 + z (1 - s))
        dz = _mm256_mul_ps(_mm256_mul_ps(dyv, s), _mm256_fmadd_ps(z, _mm256_sub_ps(one, s), one));
    }
    *dzOut = dz;
    *sdz = _mm256_add_ps(*sdz, dz);
    *sdzc = _mm256_fmadd_ps(dz, centred, *sdzc);
}

DIFFUSE_AVX2 void diffuse_groupnorm_row_backward_sums_avx2(const float *x, const float *dy, float *dz, long n,
                                                           float mu, float rstdWeight, float bias, int silu,
                                                           double *sum, double *sumCentred) {
    const __m256 vmu = _mm256_set1_ps(mu), vrw = _mm256_set1_ps(rstdWeight), vbias = _mm256_set1_ps(bias);
    double total = 0, totalCentred = 0;
    long i = 0;
    while (i < n) {
        long end = i + BLOCK < n ? i + BLOCK : n;
        __m256 sdz = _mm256_setzero_ps(), sdzc = _mm256_setzero_ps(), d;
        for (; i + 8 <= end; i += 8) {
            backward_lanes(_mm256_loadu_ps(x + i), _mm256_loadu_ps(dy + i), vmu, vrw, vbias, silu, &d, &sdz, &sdzc);
            if (silu) _mm256_storeu_ps(dz + i, d);
        }
        if (i < end) {
            // Masked lanes load dy = 0, so they add nothing to either sum.
            __m256i mask = diffuse_tail_mask(end - i);
            backward_lanes(_mm256_maskload_ps(x + i, mask), _mm256_maskload_ps(dy + i, mask), vmu, vrw, vbias, silu,
                           &d, &sdz, &sdzc);
            if (silu) _mm256_maskstore_ps(dz + i, mask, d);
            i = end;
        }
        total += diffuse_hsum(sdz);
        totalCentred += diffuse_hsum(sdzc);
    }
    *sum = total;
    *sumCentred = totalCentred;
}

DIFFUSE_AVX2 void diffuse_groupnorm_row_backward_input_avx2(const float *x, const float *dz, float *dx, long n,
                                                            float mu, float rstd, float weight, float m1, float m2) {
    // dx = rstd weight dz - rstd m1 - (x - mu) rstd^2 m2
    const __m256 vmu = _mm256_set1_ps(mu), a = _mm256_set1_ps(rstd * weight);
    const __m256 b = _mm256_set1_ps(-rstd * m1), c = _mm256_set1_ps(rstd * rstd * m2);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 centred = _mm256_sub_ps(_mm256_loadu_ps(x + i), vmu);
        __m256 v = _mm256_fnmadd_ps(centred, c, _mm256_fmadd_ps(_mm256_loadu_ps(dz + i), a, b));
        _mm256_storeu_ps(dx + i, v);
    }
    if (i < n) {
        __m256i mask = diffuse_tail_mask(n - i);
        __m256 centred = _mm256_sub_ps(_mm256_maskload_ps(x + i, mask), vmu);
        __m256 v = _mm256_fnmadd_ps(centred, c, _mm256_fmadd_ps(_mm256_maskload_ps(dz + i, mask), a, b));
        _mm256_maskstore_ps(dx + i, mask, v);
    }
}

#else

// Not x86-64: diffuse_cpu_has_avx2_fma() is 0, so callers take their portable Swift path and
// never reach these definitions, which exist only so that the module links.
void diffuse_groupnorm_row_forward_avx2(const float *x, float *y, long n, float mu, float scale, float shift,
                                        int silu) { __builtin_trap(); }
void diffuse_groupnorm_row_backward_sums_avx2(const float *x, const float *dy, float *dz, long n, float mu,
                                              float rstdWeight, float bias, int silu, double *sum, double *sumCentred) {
    __builtin_trap();
}
void diffuse_groupnorm_row_backward_input_avx2(const float *x, const float *dz, float *dx, long n, float mu,
                                               float rstd, float weight, float m1, float m2) { __builtin_trap(); }

#endif
