// One Adam/AdamW update (NN's Adam, PyTorch's single-tensor semantics), 8 floats per AVX2
// vector, the same operations in the same order as Tensor's AdamUpdate.portable, so both
// give the same bits:
//     g = grad + l2 p;  p = shrink p;  m += (1 - beta1)(g - m);  v = beta2 v + ((1 - beta2) g) g
//     p -= (stepSize m) / (sqrt(v) / bias2Sqrt + eps)
// Multiplies and adds stay separate (no FMA contraction), as in the Swift loop.
#include "CKernels.h"
#include "AVX2Math.h"

#if defined(__x86_64__)

static inline DIFFUSE_AVX2 void adam_lanes(float *p, const float *g, float *m, float *v, __m256i mask, int masked,
                                           __m256 b1c, __m256 b2, __m256 b2c, __m256 step, __m256 bias2Sqrt,
                                           __m256 eps, __m256 l2, __m256 shrink, int useL2, int useShrink) {
    __m256 pv = masked ? _mm256_maskload_ps(p, mask) : _mm256_loadu_ps(p);
    __m256 gv = masked ? _mm256_maskload_ps(g, mask) : _mm256_loadu_ps(g);
    __m256 mv = masked ? _mm256_maskload_ps(m, mask) : _mm256_loadu_ps(m);
    __m256 vv = masked ? _mm256_maskload_ps(v, mask) : _mm256_loadu_ps(v);
    if (useL2) gv = _mm256_add_ps(gv, _mm256_mul_ps(l2, pv));
    if (useShrink) pv = _mm256_mul_ps(pv, shrink);
    mv = _mm256_add_ps(mv, _mm256_mul_ps(b1c, _mm256_sub_ps(gv, mv)));
    vv = _mm256_add_ps(_mm256_mul_ps(b2, vv), _mm256_mul_ps(_mm256_mul_ps(b2c, gv), gv));
    __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vv), bias2Sqrt), eps);
    pv = _mm256_sub_ps(pv, _mm256_div_ps(_mm256_mul_ps(step, mv), denom));
    if (masked) {
        _mm256_maskstore_ps(p, mask, pv);
        _mm256_maskstore_ps(m, mask, mv);
        _mm256_maskstore_ps(v, mask, vv);
    } else {
        _mm256_storeu_ps(p, pv);
        _mm256_storeu_ps(m, mv);
        _mm256_storeu_ps(v, vv);
    }
}

DIFFUSE_AVX2 void diffuse_adam_update_avx2(float *p, const float *g, float *m, float *v, long n,
                                           float beta1, float beta2, float stepSize, float bias2Sqrt, float eps,
                                           float l2, float shrink) {
    const __m256 b1c = _mm256_set1_ps(1 - beta1), b2 = _mm256_set1_ps(beta2), b2c = _mm256_set1_ps(1 - beta2);
    const __m256 step = _mm256_set1_ps(stepSize), b2s = _mm256_set1_ps(bias2Sqrt), e = _mm256_set1_ps(eps);
    const __m256 l2v = _mm256_set1_ps(l2), sh = _mm256_set1_ps(shrink);
    const int useL2 = l2 != 0, useShrink = shrink != 1;
    const __m256i none = _mm256_setzero_si256();
    long i = 0;
    for (; i + 8 <= n; i += 8)
        adam_lanes(p + i, g + i, m + i, v + i, none, 0, b1c, b2, b2c, step, b2s, e, l2v, sh, useL2, useShrink);
    if (i < n)
        adam_lanes(p + i, g + i, m + i, v + i, diffuse_tail_mask(n - i), 1, b1c, b2, b2c, step, b2s, e, l2v, sh, useL2, useShrink);
}

#else

// Not x86-64: unreachable (diffuse_cpu_has_avx2_fma() is 0); defined so that the module links.
void diffuse_adam_update_avx2(float *p, const float *g, float *m, float *v, long n, float beta1, float beta2,
                              float stepSize, float bias2Sqrt, float eps, float l2, float shrink) { __builtin_trap(); }

#endif
